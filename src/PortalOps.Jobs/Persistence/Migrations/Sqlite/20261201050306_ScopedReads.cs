using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ScopedReads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FootprintAccount",
                table: "InstanceHealth",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FootprintRegion",
                table: "InstanceHealth",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FootprintTags",
                table: "InstanceHealth",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FootprintAccount",
                table: "AuditLog",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FootprintRegion",
                table: "AuditLog",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FootprintTags",
                table: "AuditLog",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FootprintAccount",
                table: "Alerts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FootprintRegion",
                table: "Alerts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FootprintTags",
                table: "Alerts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditLog_FootprintAccount_FootprintRegion",
                table: "AuditLog",
                columns: new[] { "FootprintAccount", "FootprintRegion" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditLog_FootprintAccount_FootprintRegion",
                table: "AuditLog");

            migrationBuilder.DropColumn(
                name: "FootprintAccount",
                table: "InstanceHealth");

            migrationBuilder.DropColumn(
                name: "FootprintRegion",
                table: "InstanceHealth");

            migrationBuilder.DropColumn(
                name: "FootprintTags",
                table: "InstanceHealth");

            migrationBuilder.DropColumn(
                name: "FootprintAccount",
                table: "AuditLog");

            migrationBuilder.DropColumn(
                name: "FootprintRegion",
                table: "AuditLog");

            migrationBuilder.DropColumn(
                name: "FootprintTags",
                table: "AuditLog");

            migrationBuilder.DropColumn(
                name: "FootprintAccount",
                table: "Alerts");

            migrationBuilder.DropColumn(
                name: "FootprintRegion",
                table: "Alerts");

            migrationBuilder.DropColumn(
                name: "FootprintTags",
                table: "Alerts");
        }
    }
}
