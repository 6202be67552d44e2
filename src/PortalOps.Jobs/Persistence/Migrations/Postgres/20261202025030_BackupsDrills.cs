using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class BackupsDrills : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BackupDrills",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Deadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    InstanceType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    IsActive = table.Column<bool>(type: "boolean", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RtoSeconds = table.Column<double>(type: "double precision", nullable: true),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    Recovered = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Items = table.Column<string>(type: "text", nullable: false),
                    FootprintAccount = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FootprintRegion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FootprintTags = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupDrills", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BackupNotices",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupNotices", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BackupDrills_CreatedAt",
                table: "BackupDrills",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_BackupDrills_IsActive",
                table: "BackupDrills",
                column: "IsActive");

            migrationBuilder.CreateIndex(
                name: "IX_BackupNotices_SentAt",
                table: "BackupNotices",
                column: "SentAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BackupDrills");

            migrationBuilder.DropTable(
                name: "BackupNotices");
        }
    }
}
