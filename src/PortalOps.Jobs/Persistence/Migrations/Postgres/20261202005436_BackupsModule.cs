using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Content = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    UpdatedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FootprintAccount = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FootprintRegion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FootprintTags = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupPolicies", x => new { x.Id, x.Version });
                });

            migrationBuilder.CreateTable(
                name: "BackupProtection",
                columns: table => new
                {
                    PolicyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Instance = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PolicyName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RpoHours = table.Column<int>(type: "integer", nullable: false),
                    Copies = table.Column<bool>(type: "boolean", nullable: false),
                    LastBackupAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastCopyAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FirstAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DueBy = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    FootprintAccount = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FootprintRegion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FootprintTags = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupProtection", x => new { x.PolicyId, x.Instance });
                });

            migrationBuilder.CreateTable(
                name: "BackupRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PolicyId = table.Column<Guid>(type: "uuid", nullable: false),
                    PolicyVersion = table.Column<int>(type: "integer", nullable: false),
                    PolicyName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RuleName = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    WindowStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AccountId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Region = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Tags = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    IsActive = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Succeeded = table.Column<int>(type: "integer", nullable: false),
                    Failed = table.Column<int>(type: "integer", nullable: false),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    Pruned = table.Column<int>(type: "integer", nullable: false),
                    PruneNote = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    PruneDone = table.Column<bool>(type: "boolean", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    LeaseUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Items = table.Column<string>(type: "text", nullable: false),
                    FootprintAccount = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FootprintRegion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FootprintTags = table.Column<string>(type: "text", nullable: true)
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
