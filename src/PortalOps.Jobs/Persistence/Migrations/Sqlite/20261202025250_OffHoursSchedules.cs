using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OffHoursSchedules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OffHoursEdges",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 208, nullable: false),
                    ScheduleId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ScheduleName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Resource = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Summary = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    PreviousMin = table.Column<int>(type: "INTEGER", nullable: true),
                    PreviousDesired = table.Column<int>(type: "INTEGER", nullable: true),
                    PreviousMax = table.Column<int>(type: "INTEGER", nullable: true),
                    ClaimedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OffHoursEdges", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "OffHoursOverrides",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Resource = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Until = table.Column<long>(type: "INTEGER", nullable: false),
                    By = table.Column<Guid>(type: "TEXT", nullable: false),
                    ByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OffHoursOverrides", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OffHoursSchedules",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Content = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    UpdatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OffHoursSchedules", x => new { x.Id, x.Version });
                });

            migrationBuilder.CreateIndex(
                name: "IX_OffHoursEdges_At",
                table: "OffHoursEdges",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_OffHoursEdges_ClaimedAt",
                table: "OffHoursEdges",
                column: "ClaimedAt");

            migrationBuilder.CreateIndex(
                name: "IX_OffHoursOverrides_Until",
                table: "OffHoursOverrides",
                column: "Until");

            migrationBuilder.CreateIndex(
                name: "IX_OffHoursSchedules_Name",
                table: "OffHoursSchedules",
                column: "Name");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OffHoursEdges");

            migrationBuilder.DropTable(
                name: "OffHoursOverrides");

            migrationBuilder.DropTable(
                name: "OffHoursSchedules");
        }
    }
}
