using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Postgres
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
                    Key = table.Column<string>(type: "character varying(208)", maxLength: 208, nullable: false),
                    ScheduleId = table.Column<Guid>(type: "uuid", nullable: true),
                    ScheduleName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Resource = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Summary = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    PreviousMin = table.Column<int>(type: "integer", nullable: true),
                    PreviousDesired = table.Column<int>(type: "integer", nullable: true),
                    PreviousMax = table.Column<int>(type: "integer", nullable: true),
                    ClaimedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OffHoursEdges", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "OffHoursOverrides",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Resource = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<Guid>(type: "uuid", nullable: false),
                    ByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OffHoursOverrides", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OffHoursSchedules",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Content = table.Column<string>(type: "text", nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    UpdatedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
