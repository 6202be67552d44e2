using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PortalOps.Jobs.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TelegramBot : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TelegramApprovalMessages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ApprovalId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChatId = table.Column<long>(type: "bigint", nullable: false),
                    MessageId = table.Column<int>(type: "integer", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TelegramApprovalMessages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TelegramButtons",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Payload = table.Column<string>(type: "text", nullable: false),
                    ApprovalId = table.Column<Guid>(type: "uuid", nullable: true),
                    ChatId = table.Column<long>(type: "bigint", nullable: false),
                    ForTelegramUserId = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TelegramButtons", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TelegramGroups",
                columns: table => new
                {
                    ChatId = table.Column<long>(type: "bigint", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    AllowedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    AllowedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TelegramGroups", x => x.ChatId);
                });

            migrationBuilder.CreateTable(
                name: "TelegramLinkCodes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CodeHash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TelegramLinkCodes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TelegramLinks",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    TelegramUserId = table.Column<long>(type: "bigint", nullable: false),
                    TelegramUserName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    LinkedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TelegramLinks", x => x.UserId);
                });

            migrationBuilder.CreateTable(
                name: "TelegramPreferences",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    ApprovalRequests = table.Column<bool>(type: "boolean", nullable: false),
                    Decisions = table.Column<bool>(type: "boolean", nullable: false),
                    ActionResults = table.Column<bool>(type: "boolean", nullable: false),
                    Alerts = table.Column<bool>(type: "boolean", nullable: false),
                    QuietFromHour = table.Column<int>(type: "integer", nullable: true),
                    QuietToHour = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TelegramPreferences", x => x.UserId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TelegramApprovalMessages_ApprovalId",
                table: "TelegramApprovalMessages",
                column: "ApprovalId");

            migrationBuilder.CreateIndex(
                name: "IX_TelegramButtons_ApprovalId",
                table: "TelegramButtons",
                column: "ApprovalId");

            migrationBuilder.CreateIndex(
                name: "IX_TelegramButtons_ExpiresAt",
                table: "TelegramButtons",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_TelegramLinkCodes_CodeHash",
                table: "TelegramLinkCodes",
                column: "CodeHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TelegramLinkCodes_UserId",
                table: "TelegramLinkCodes",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_TelegramLinks_TelegramUserId",
                table: "TelegramLinks",
                column: "TelegramUserId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TelegramApprovalMessages");

            migrationBuilder.DropTable(
                name: "TelegramButtons");

            migrationBuilder.DropTable(
                name: "TelegramGroups");

            migrationBuilder.DropTable(
                name: "TelegramLinkCodes");

            migrationBuilder.DropTable(
                name: "TelegramLinks");

            migrationBuilder.DropTable(
                name: "TelegramPreferences");
        }
    }
}
