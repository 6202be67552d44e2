using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PatchingModule : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InstancePatchStates",
                columns: table => new
                {
                    Instance = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AccountId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Region = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    PatchGroup = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Ping = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    PlatformName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    AgentVersion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    LastPing = table.Column<long>(type: "INTEGER", nullable: true),
                    AgentReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    AgentFix = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    BaselineId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Installed = table.Column<int>(type: "INTEGER", nullable: false),
                    Missing = table.Column<int>(type: "INTEGER", nullable: false),
                    Failed = table.Column<int>(type: "INTEGER", nullable: false),
                    InstalledPendingReboot = table.Column<int>(type: "INTEGER", nullable: false),
                    CriticalNonCompliant = table.Column<int>(type: "INTEGER", nullable: false),
                    SecurityNonCompliant = table.Column<int>(type: "INTEGER", nullable: false),
                    OtherNonCompliant = table.Column<int>(type: "INTEGER", nullable: false),
                    Compliance = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    LastScanAt = table.Column<long>(type: "INTEGER", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FootprintAccount = table.Column<string>(type: "TEXT", nullable: true),
                    FootprintRegion = table.Column<string>(type: "TEXT", nullable: true),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InstancePatchStates", x => x.Instance);
                });

            migrationBuilder.CreateTable(
                name: "PatchBaselines",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OperatingSystem = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Classifications = table.Column<string>(type: "TEXT", nullable: false),
                    Severities = table.Column<string>(type: "TEXT", nullable: false),
                    ApproveAfterDays = table.Column<int>(type: "INTEGER", nullable: false),
                    ApprovedPatches = table.Column<string>(type: "TEXT", nullable: false),
                    RejectedPatches = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    UpdatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PatchBaselines", x => new { x.Id, x.Version });
                });

            migrationBuilder.CreateTable(
                name: "PatchComplianceTrend",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    AccountId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Region = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Compliant = table.Column<int>(type: "INTEGER", nullable: false),
                    Critical = table.Column<int>(type: "INTEGER", nullable: false),
                    Security = table.Column<int>(type: "INTEGER", nullable: false),
                    Other = table.Column<int>(type: "INTEGER", nullable: false),
                    Unknown = table.Column<int>(type: "INTEGER", nullable: false),
                    FootprintAccount = table.Column<string>(type: "TEXT", nullable: true),
                    FootprintRegion = table.Column<string>(type: "TEXT", nullable: true),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PatchComplianceTrend", x => new { x.Day, x.AccountId, x.Region });
                });

            migrationBuilder.CreateTable(
                name: "PatchGroups",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    TagKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    TagValue = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Baselines = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PatchGroups", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "PatchRunTargets",
                columns: table => new
                {
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Instance = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Wave = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CommandId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Output = table.Column<string>(type: "TEXT", maxLength: 2500, nullable: true),
                    OutputTruncated = table.Column<bool>(type: "INTEGER", nullable: false),
                    ResponseCode = table.Column<int>(type: "INTEGER", nullable: true),
                    SendingSince = table.Column<long>(type: "INTEGER", nullable: true),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PatchRunTargets", x => new { x.RunId, x.Instance });
                });

            migrationBuilder.CreateTable(
                name: "PatchRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    GroupName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CanaryPercent = table.Column<int>(type: "INTEGER", nullable: false),
                    BatchPercent = table.Column<int>(type: "INTEGER", nullable: false),
                    Reboot = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    HealthQuietMinutes = table.Column<int>(type: "INTEGER", nullable: false),
                    WindowId = table.Column<Guid>(type: "TEXT", nullable: false),
                    WindowName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    WindowEndsAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RequestedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false),
                    StatusReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ApprovalId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Waves = table.Column<string>(type: "TEXT", nullable: false),
                    FootprintAccount = table.Column<string>(type: "TEXT", nullable: true),
                    FootprintRegion = table.Column<string>(type: "TEXT", nullable: true),
                    FootprintTags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PatchRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PatchScanClaims",
                columns: table => new
                {
                    Scope = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ClaimedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PatchScanClaims", x => x.Scope);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InstancePatchStates_Compliance",
                table: "InstancePatchStates",
                column: "Compliance");

            migrationBuilder.CreateIndex(
                name: "IX_InstancePatchStates_FootprintAccount_FootprintRegion",
                table: "InstancePatchStates",
                columns: new[] { "FootprintAccount", "FootprintRegion" });

            migrationBuilder.CreateIndex(
                name: "IX_InstancePatchStates_PatchGroup",
                table: "InstancePatchStates",
                column: "PatchGroup");

            migrationBuilder.CreateIndex(
                name: "IX_PatchRuns_CreatedAt",
                table: "PatchRuns",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_PatchRuns_IdempotencyKey",
                table: "PatchRuns",
                column: "IdempotencyKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PatchRuns_IsActive",
                table: "PatchRuns",
                column: "IsActive");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InstancePatchStates");

            migrationBuilder.DropTable(
                name: "PatchBaselines");

            migrationBuilder.DropTable(
                name: "PatchComplianceTrend");

            migrationBuilder.DropTable(
                name: "PatchGroups");

            migrationBuilder.DropTable(
                name: "PatchRunTargets");

            migrationBuilder.DropTable(
                name: "PatchRuns");

            migrationBuilder.DropTable(
                name: "PatchScanClaims");
        }
    }
}
