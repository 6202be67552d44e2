using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Deadline = table.Column<long>(type: "INTEGER", nullable: false),
                    InstanceType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RtoSeconds = table.Column<double>(type: "REAL", nullable: true),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Recovered = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Items = table.Column<string>(type: "TEXT", nullable: false),
                    FootprintAccount = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FootprintRegion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupDrills", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BackupNotices",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false)
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
