using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CostsPrices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CostCoverage",
                columns: table => new
                {
                    AccountId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Region = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    InstanceType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Day = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Running = table.Column<int>(type: "integer", nullable: false),
                    Reserved = table.Column<int>(type: "integer", nullable: false),
                    UncoveredCents = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostCoverage", x => new { x.AccountId, x.Region, x.InstanceType });
                });

            migrationBuilder.CreateTable(
                name: "CostPrices",
                columns: table => new
                {
                    Region = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    InstanceType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    PerHourNanos = table.Column<long>(type: "bigint", nullable: false),
                    EffectiveDate = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    FetchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FetchedAtMs = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostPrices", x => new { x.Region, x.InstanceType });
                });

            migrationBuilder.CreateTable(
                name: "CostScheduledResizes",
                columns: table => new
                {
                    ApprovalId = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Region = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    InstanceId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    InstanceType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Timing = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    NotBefore = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Summary = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CostScheduledResizes", x => x.ApprovalId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CostPrices_FetchedAtMs",
                table: "CostPrices",
                column: "FetchedAtMs");

            migrationBuilder.CreateIndex(
                name: "IX_CostScheduledResizes_Status",
                table: "CostScheduledResizes",
                column: "Status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CostCoverage");

            migrationBuilder.DropTable(
                name: "CostPrices");

            migrationBuilder.DropTable(
                name: "CostScheduledResizes");
        }
    }
}
