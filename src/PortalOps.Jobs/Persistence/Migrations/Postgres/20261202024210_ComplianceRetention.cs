using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Postgres
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
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EmailTo",
                table: "ComplianceReports",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EmailedAt",
                table: "ComplianceReports",
                type: "timestamp with time zone",
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
