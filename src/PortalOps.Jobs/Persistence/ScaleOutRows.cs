using Microsoft.EntityFrameworkCore;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// Telegram's limits kept across nodes: one row per chat that a node is sending to or has just sent to, and one row (chat id 0,
/// which Telegram never uses) for the bot's overall pace. A chat row is held by one node while it sends there
/// (<see cref="Holder"/>, <see cref="HeldUntil"/>) and says when the next message may go (<see cref="NotBefore"/>); the overall row's
/// <see cref="NotBefore"/> is the next free slot. Rows of idle chats are removed, so the table holds the chats of the last hour at most.
/// </summary>
internal sealed class TelegramPacingRow
{
    public long ChatId { get; set; }

    public DateTimeOffset NotBefore { get; set; }

    public string? Holder { get; set; }

    public DateTimeOffset? HeldUntil { get; set; }
}

/// <summary>
/// Failed logins, shared by every node. Keyed by the account ("user:{id}") when the name belongs to one, and otherwise by one of
/// a fixed number of buckets of the name ("name:{n}"), so names an attacker invents cannot grow the table.
/// </summary>
internal sealed class LoginFailureRow
{
    public string Key { get; set; } = string.Empty;

    public int Failures { get; set; }

    public DateTimeOffset WindowStart { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }
}

internal static class ScaleOutModel
{
    public static void Configure(ModelBuilder model)
    {
        var pacing = model.Entity<TelegramPacingRow>();
        pacing.ToTable("TelegramPacing");
        pacing.HasKey(p => p.ChatId);
        pacing.Property(p => p.ChatId).ValueGeneratedNever();
        pacing.Property(p => p.Holder).HasMaxLength(100);
        pacing.HasIndex(p => p.NotBefore);

        var login = model.Entity<LoginFailureRow>();
        login.ToTable("LoginFailures");
        login.HasKey(l => l.Key);
        login.Property(l => l.Key).HasMaxLength(64);
        login.HasIndex(l => l.WindowStart);
    }
}
