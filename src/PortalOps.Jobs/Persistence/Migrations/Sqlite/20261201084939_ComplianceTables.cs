using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ComplianceTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ComplianceFindings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    PolicyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SeverityRank = table.Column<int>(type: "INTEGER", nullable: false),
                    ResourceType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ResourceId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ResourceName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Evidence = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FirstSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    TimesReopened = table.Column<int>(type: "INTEGER", nullable: false),
                    WaiverId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Tags = table.Column<string>(type: "TEXT", nullable: false),
                    History = table.Column<string>(type: "TEXT", nullable: false),
                    FootprintAccount = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FootprintRegion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ComplianceFindings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CompliancePolicySettings",
                columns: table => new
                {
                    PolicyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ChangedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CompliancePolicySettings", x => x.PolicyId);
                });

            migrationBuilder.CreateTable(
                name: "CompliancePolicyVersions",
                columns: table => new
                {
                    PolicyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CompliancePolicyVersions", x => new { x.PolicyId, x.Version });
                });

            migrationBuilder.CreateTable(
                name: "ComplianceScans",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    FailedScopes = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ComplianceScans", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ComplianceTallies",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ScanId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    PolicyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Account = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Region = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Evaluated = table.Column<int>(type: "INTEGER", nullable: false),
                    Violating = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ComplianceTallies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ComplianceWaivers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PolicyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FindingId = table.Column<Guid>(type: "TEXT", nullable: true),
                    TagKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    TagValue = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    GrantedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    GrantedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiryNotifiedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ComplianceWaivers", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ComplianceFindings_FootprintAccount_FootprintRegion",
                table: "ComplianceFindings",
                columns: new[] { "FootprintAccount", "FootprintRegion" });

            migrationBuilder.CreateIndex(
                name: "IX_ComplianceFindings_Key",
                table: "ComplianceFindings",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ComplianceFindings_PolicyId_Status",
                table: "ComplianceFindings",
                columns: new[] { "PolicyId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_ComplianceFindings_Status_SeverityRank",
                table: "ComplianceFindings",
                columns: new[] { "Status", "SeverityRank" });

            migrationBuilder.CreateIndex(
                name: "IX_ComplianceScans_At",
                table: "ComplianceScans",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_ComplianceTallies_At",
                table: "ComplianceTallies",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_ComplianceTallies_ScanId",
                table: "ComplianceTallies",
                column: "ScanId");

            migrationBuilder.CreateIndex(
                name: "IX_ComplianceWaivers_ExpiresAt",
                table: "ComplianceWaivers",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ComplianceFindings");

            migrationBuilder.DropTable(
                name: "CompliancePolicySettings");

            migrationBuilder.DropTable(
                name: "CompliancePolicyVersions");

            migrationBuilder.DropTable(
                name: "ComplianceScans");

            migrationBuilder.DropTable(
                name: "ComplianceTallies");

            migrationBuilder.DropTable(
                name: "ComplianceWaivers");
        }
    }
}
