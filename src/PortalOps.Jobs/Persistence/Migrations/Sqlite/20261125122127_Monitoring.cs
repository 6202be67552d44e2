using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Monitoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "AlertId",
                table: "InboxNotifications",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AlertRules",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Metric = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Statistic = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Comparison = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Threshold = table.Column<double>(type: "REAL", nullable: false),
                    PeriodSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    DatapointsToAlarm = table.Column<int>(type: "INTEGER", nullable: false),
                    EvaluationPeriods = table.Column<int>(type: "INTEGER", nullable: false),
                    ScopeKind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ScopeValue = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    NotifyRole = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    NotifyUsers = table.Column<string>(type: "TEXT", nullable: false),
                    Actions = table.Column<string>(type: "TEXT", nullable: false),
                    MirrorToCloudWatch = table.Column<bool>(type: "INTEGER", nullable: false),
                    OwnerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OwnerName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlertRules", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Alerts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RuleId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RuleName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    IsOpen = table.Column<bool>(type: "INTEGER", nullable: false),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    NotifiedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AcknowledgedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    AcknowledgedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SnoozedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolvedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Changes = table.Column<int>(type: "INTEGER", nullable: false),
                    NotifiedChanges = table.Column<int>(type: "INTEGER", nullable: false),
                    ResolutionNotified = table.Column<bool>(type: "INTEGER", nullable: false),
                    PeakMembers = table.Column<int>(type: "INTEGER", nullable: false),
                    MemberCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Members = table.Column<string>(type: "TEXT", nullable: false),
                    History = table.Column<string>(type: "TEXT", nullable: false),
                    Approvals = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Alerts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InstanceHealth",
                columns: table => new
                {
                    Instance = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Cpu = table.Column<double>(type: "REAL", nullable: true),
                    NetworkIn = table.Column<double>(type: "REAL", nullable: true),
                    NetworkOut = table.Column<double>(type: "REAL", nullable: true),
                    StatusCheckFailed = table.Column<bool>(type: "INTEGER", nullable: false),
                    SystemStatus = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    InstanceStatus = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    LastPointAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InstanceHealth", x => x.Instance);
                });

            migrationBuilder.CreateTable(
                name: "MaintenanceWindows",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ScopeKind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ScopeValue = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RuleId = table.Column<Guid>(type: "TEXT", nullable: true),
                    StartsAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndsAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MaintenanceWindows", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MetricPoints",
                columns: table => new
                {
                    Instance = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Metric = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Value = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MetricPoints", x => new { x.Instance, x.Metric, x.At });
                });

            migrationBuilder.CreateTable(
                name: "MonitoringState",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Value = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MonitoringState", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "TelegramAlertMessages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AlertId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChatId = table.Column<long>(type: "INTEGER", nullable: false),
                    MessageId = table.Column<int>(type: "INTEGER", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TelegramAlertMessages", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InboxNotifications_UserId_AlertId",
                table: "InboxNotifications",
                columns: new[] { "UserId", "AlertId" });

            migrationBuilder.CreateIndex(
                name: "IX_Alerts_IsOpen_OpenedAt",
                table: "Alerts",
                columns: new[] { "IsOpen", "OpenedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Alerts_RuleId",
                table: "Alerts",
                column: "RuleId");

            migrationBuilder.CreateIndex(
                name: "IX_InstanceHealth_Cpu",
                table: "InstanceHealth",
                column: "Cpu");

            migrationBuilder.CreateIndex(
                name: "IX_MaintenanceWindows_EndsAt",
                table: "MaintenanceWindows",
                column: "EndsAt");

            migrationBuilder.CreateIndex(
                name: "IX_MetricPoints_At",
                table: "MetricPoints",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_TelegramAlertMessages_AlertId_ChatId",
                table: "TelegramAlertMessages",
                columns: new[] { "AlertId", "ChatId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AlertRules");

            migrationBuilder.DropTable(
                name: "Alerts");

            migrationBuilder.DropTable(
                name: "InstanceHealth");

            migrationBuilder.DropTable(
                name: "MaintenanceWindows");

            migrationBuilder.DropTable(
                name: "MetricPoints");

            migrationBuilder.DropTable(
                name: "MonitoringState");

            migrationBuilder.DropTable(
                name: "TelegramAlertMessages");

            migrationBuilder.DropIndex(
                name: "IX_InboxNotifications_UserId_AlertId",
                table: "InboxNotifications");

            migrationBuilder.DropColumn(
                name: "AlertId",
                table: "InboxNotifications");
        }
    }
}
