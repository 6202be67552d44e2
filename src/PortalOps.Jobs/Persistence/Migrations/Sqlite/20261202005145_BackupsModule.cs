using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BackupsModule : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BackupPolicies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Content = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    UpdatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FootprintAccount = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FootprintRegion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupPolicies", x => new { x.Id, x.Version });
                });

            migrationBuilder.CreateTable(
                name: "BackupProtection",
                columns: table => new
                {
                    PolicyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Instance = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PolicyName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RpoHours = table.Column<int>(type: "INTEGER", nullable: false),
                    Copies = table.Column<bool>(type: "INTEGER", nullable: false),
                    LastBackupAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastCopyAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FirstAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DueBy = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    FootprintAccount = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FootprintRegion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupProtection", x => new { x.PolicyId, x.Instance });
                });

            migrationBuilder.CreateTable(
                name: "BackupRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PolicyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PolicyVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    PolicyName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RuleName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    WindowStart = table.Column<long>(type: "INTEGER", nullable: false),
                    AccountId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Region = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Tags = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Succeeded = table.Column<int>(type: "INTEGER", nullable: false),
                    Failed = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Pruned = table.Column<int>(type: "INTEGER", nullable: false),
                    PruneNote = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    PruneDone = table.Column<bool>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    LeaseUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    Items = table.Column<string>(type: "TEXT", nullable: false),
                    FootprintAccount = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FootprintRegion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupRuns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BackupProtection_DueBy",
                table: "BackupProtection",
                column: "DueBy");

            migrationBuilder.CreateIndex(
                name: "IX_BackupProtection_FootprintAccount_FootprintRegion",
                table: "BackupProtection",
                columns: new[] { "FootprintAccount", "FootprintRegion" });

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_CreatedAt",
                table: "BackupRuns",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_IsActive",
                table: "BackupRuns",
                column: "IsActive");

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_Key",
                table: "BackupRuns",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_PolicyId_CreatedAt",
                table: "BackupRuns",
                columns: new[] { "PolicyId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BackupPolicies");

            migrationBuilder.DropTable(
                name: "BackupProtection");

            migrationBuilder.DropTable(
                name: "BackupRuns");
        }
    }
}
