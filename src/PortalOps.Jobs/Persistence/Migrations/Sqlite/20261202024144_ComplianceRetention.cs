using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ComplianceRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "EmailProblem",
                table: "ComplianceReports",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EmailTo",
                table: "ComplianceReports",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "EmailedAt",
                table: "ComplianceReports",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "EmailProblem",
                table: "ComplianceReports");

            migrationBuilder.DropColumn(
                name: "EmailTo",
                table: "ComplianceReports");

            migrationBuilder.DropColumn(
                name: "EmailedAt",
                table: "ComplianceReports");
        }
    }
}
