using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Postgres
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
                    Key = table.Column<string>(type: "character varying(420)", maxLength: 420, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Account = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    TagKey = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    TagValue = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    AmountCents = table.Column<long>(type: "bigint", nullable: false),
                    Thresholds = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AlertOnForecast = table.Column<bool>(type: "boolean", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FootprintAccount = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FootprintRegion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FootprintTags = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostBudgets", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "CostDigestSubscriptions",
                columns: table => new
                {
                    ChatId = table.Column<long>(type: "bigint", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    SubscribedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostDigestSubscriptions", x => x.ChatId);
                });

            migrationBuilder.CreateTable(
                name: "CostDigests",
                columns: table => new
                {
                    ChatId = table.Column<long>(type: "bigint", nullable: false),
                    Week = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostDigests", x => new { x.ChatId, x.Week });
                });

            migrationBuilder.CreateTable(
                name: "CostSavings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RecommendationKey = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ResourceId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ResourceName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Tags = table.Column<string>(type: "text", nullable: false),
                    BeforeCents = table.Column<long>(type: "bigint", nullable: false),
                    AfterCents = table.Column<long>(type: "bigint", nullable: false),
                    ApprovalId = table.Column<Guid>(type: "uuid", nullable: true),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RequestedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    RealizedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Outcome = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    FootprintAccount = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FootprintRegion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FootprintTags = table.Column<string>(type: "text", nullable: true)
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
