using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LoadBalancingDrain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DrainProgress",
                columns: table => new
                {
                    AccountId = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Region = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    InstanceId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    TargetGroups = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Registrations = table.Column<int>(type: "integer", nullable: false),
                    StillDraining = table.Column<int>(type: "integer", nullable: false),
                    WaitedSeconds = table.Column<int>(type: "integer", nullable: false),
                    BoundSeconds = table.Column<int>(type: "integer", nullable: false),
                    Outcome = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DrainProgress", x => new { x.AccountId, x.Region, x.InstanceId });
                });

            migrationBuilder.CreateTable(
                name: "DrainedRegistrations",
                columns: table => new
                {
                    AccountId = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Region = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    InstanceId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    TargetGroupArn = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    TargetGroupName = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Port = table.Column<int>(type: "integer", nullable: true),
                    SavedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DrainedRegistrations", x => new { x.AccountId, x.Region, x.InstanceId, x.TargetGroupArn });
                });

            migrationBuilder.CreateTable(
                name: "TargetRegistrationIndex",
                columns: table => new
                {
                    AccountId = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Region = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ReadAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Registrations = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TargetRegistrationIndex", x => new { x.AccountId, x.Region });
                });

            migrationBuilder.CreateIndex(
                name: "IX_DrainProgress_UpdatedAt",
                table: "DrainProgress",
                column: "UpdatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_DrainedRegistrations_SavedAt",
                table: "DrainedRegistrations",
                column: "SavedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DrainProgress");

            migrationBuilder.DropTable(
                name: "DrainedRegistrations");

            migrationBuilder.DropTable(
                name: "TargetRegistrationIndex");
        }
    }
}
