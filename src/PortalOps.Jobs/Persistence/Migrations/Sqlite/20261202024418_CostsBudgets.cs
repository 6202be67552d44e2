using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CostsBudgets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CostBudgets",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 420, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Account = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TagKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    TagValue = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    AmountCents = table.Column<long>(type: "INTEGER", nullable: false),
                    Thresholds = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AlertOnForecast = table.Column<bool>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FootprintAccount = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FootprintRegion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostBudgets", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "CostDigestSubscriptions",
                columns: table => new
                {
                    ChatId = table.Column<long>(type: "INTEGER", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SubscribedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostDigestSubscriptions", x => x.ChatId);
                });

            migrationBuilder.CreateTable(
                name: "CostDigests",
                columns: table => new
                {
                    ChatId = table.Column<long>(type: "INTEGER", nullable: false),
                    Week = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostDigests", x => new { x.ChatId, x.Week });
                });

            migrationBuilder.CreateTable(
                name: "CostSavings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecommendationKey = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ResourceId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ResourceName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Tags = table.Column<string>(type: "TEXT", nullable: false),
                    BeforeCents = table.Column<long>(type: "INTEGER", nullable: false),
                    AfterCents = table.Column<long>(type: "INTEGER", nullable: false),
                    ApprovalId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RequestedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    RealizedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    FootprintAccount = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FootprintRegion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostSavings", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CostSavings_RequestedAt",
                table: "CostSavings",
                column: "RequestedAt");

            migrationBuilder.CreateIndex(
                name: "IX_CostSavings_State",
                table: "CostSavings",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CostBudgets");

            migrationBuilder.DropTable(
                name: "CostDigestSubscriptions");

            migrationBuilder.DropTable(
                name: "CostDigests");

            migrationBuilder.DropTable(
                name: "CostSavings");
        }
    }
}
