using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Postgres
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
                    RecommendationKey = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    UntilMs = table.Column<long>(type: "bigint", nullable: false),
                    By = table.Column<Guid>(type: "uuid", nullable: false),
                    ByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostDismissals", x => x.RecommendationKey);
                });

            migrationBuilder.CreateTable(
                name: "CostRecommendations",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ResourceId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ResourceName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CurrentType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    TargetType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    SavingCents = table.Column<long>(type: "bigint", nullable: false),
                    Confidence = table.Column<int>(type: "integer", nullable: false),
                    Evidence = table.Column<string>(type: "text", nullable: false),
                    Tags = table.Column<string>(type: "text", nullable: false),
                    FoundAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ScanDay = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    AppliedSummary = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    AppliedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FootprintAccount = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FootprintRegion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FootprintTags = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostRecommendations", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "CostScans",
                columns: table => new
                {
                    Day = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Instances = table.Column<int>(type: "integer", nullable: false),
                    Recommendations = table.Column<int>(type: "integer", nullable: false),
                    SavingCents = table.Column<long>(type: "bigint", nullable: false),
                    MetricCalls = table.Column<int>(type: "integer", nullable: false),
                    Errors = table.Column<string>(type: "text", nullable: false)
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
