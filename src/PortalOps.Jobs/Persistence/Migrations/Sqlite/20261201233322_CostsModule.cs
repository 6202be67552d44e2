using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CostsModule : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CostDismissals",
                columns: table => new
                {
                    RecommendationKey = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    UntilMs = table.Column<long>(type: "INTEGER", nullable: false),
                    By = table.Column<Guid>(type: "TEXT", nullable: false),
                    ByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostDismissals", x => x.RecommendationKey);
                });

            migrationBuilder.CreateTable(
                name: "CostRecommendations",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ResourceId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ResourceName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CurrentType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    TargetType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    SavingCents = table.Column<long>(type: "INTEGER", nullable: false),
                    Confidence = table.Column<int>(type: "INTEGER", nullable: false),
                    Evidence = table.Column<string>(type: "TEXT", nullable: false),
                    Tags = table.Column<string>(type: "TEXT", nullable: false),
                    FoundAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ScanDay = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    AppliedSummary = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    AppliedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FootprintAccount = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FootprintRegion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostRecommendations", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "CostScans",
                columns: table => new
                {
                    Day = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Instances = table.Column<int>(type: "INTEGER", nullable: false),
                    Recommendations = table.Column<int>(type: "INTEGER", nullable: false),
                    SavingCents = table.Column<long>(type: "INTEGER", nullable: false),
                    MetricCalls = table.Column<int>(type: "INTEGER", nullable: false),
                    Errors = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostScans", x => x.Day);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CostDismissals_UntilMs",
                table: "CostDismissals",
                column: "UntilMs");

            migrationBuilder.CreateIndex(
                name: "IX_CostRecommendations_FootprintAccount_FootprintRegion",
                table: "CostRecommendations",
                columns: new[] { "FootprintAccount", "FootprintRegion" });

            migrationBuilder.CreateIndex(
                name: "IX_CostRecommendations_SavingCents",
                table: "CostRecommendations",
                column: "SavingCents");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CostDismissals");

            migrationBuilder.DropTable(
                name: "CostRecommendations");

            migrationBuilder.DropTable(
                name: "CostScans");
        }
    }
}
