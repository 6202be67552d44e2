using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// The portal's database: users, approval requests, the audit chain, web inboxes, one-time tokens and
/// the shared Data Protection keys. Each provider has a derived context with its own migrations.
/// </summary>
public abstract class PortalDbContext : DbContext, IDataProtectionKeyContext
{
    private const int NameLength = 200;
    private const int EnumLength = 32;

    protected PortalDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public abstract DatabaseProvider Provider { get; }

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    internal DbSet<UserRow> Users => Set<UserRow>();

    internal DbSet<ApprovalRow> Approvals => Set<ApprovalRow>();

    internal DbSet<AuditRow> AuditLog => Set<AuditRow>();

    internal DbSet<InboxRow> Inbox => Set<InboxRow>();

    internal DbSet<SetupTokenRow> SetupTokens => Set<SetupTokenRow>();

    internal DbSet<TelegramLinkRow> TelegramLinks => Set<TelegramLinkRow>();

    internal DbSet<TelegramLinkCodeRow> TelegramLinkCodes => Set<TelegramLinkCodeRow>();

    internal DbSet<TelegramButtonRow> TelegramButtons => Set<TelegramButtonRow>();

    internal DbSet<TelegramApprovalMessageRow> TelegramApprovalMessages => Set<TelegramApprovalMessageRow>();

    internal DbSet<TelegramGroupRow> TelegramGroups => Set<TelegramGroupRow>();

    internal DbSet<TelegramPreferenceRow> TelegramPreferences => Set<TelegramPreferenceRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ConfigureUsers(modelBuilder.Entity<UserRow>());
        ConfigureApprovals(modelBuilder.Entity<ApprovalRow>());
        ConfigureAudit(modelBuilder.Entity<AuditRow>());
        ConfigureInbox(modelBuilder.Entity<InboxRow>());
        ConfigureSetupTokens(modelBuilder.Entity<SetupTokenRow>());
        ConfigureTelegram(modelBuilder);
        modelBuilder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
    }

    private static void ConfigureUsers(EntityTypeBuilder<UserRow> user)
    {
        user.ToTable("Users");
        user.HasKey(u => u.Id);
        user.Property(u => u.Id).ValueGeneratedNever();
        user.Property(u => u.UserName).HasMaxLength(64);
        user.Property(u => u.NormalizedUserName).HasMaxLength(64);
        user.Property(u => u.DisplayName).HasMaxLength(NameLength);
        user.Property(u => u.Role).HasConversion<string>().HasMaxLength(EnumLength);
        user.Property(u => u.ExternalSubject).HasMaxLength(NameLength);
        user.HasIndex(u => u.NormalizedUserName).IsUnique();
        user.HasIndex(u => u.ExternalSubject).IsUnique();
    }

    private static void ConfigureApprovals(EntityTypeBuilder<ApprovalRow> approval)
    {
        approval.ToTable("ApprovalRequests");
        approval.HasKey(a => a.Id);
        approval.Property(a => a.Id).ValueGeneratedNever();
        approval.Property(a => a.KindName).HasMaxLength(64);
        approval.Property(a => a.RequestedByName).HasMaxLength(NameLength);
        approval.Property(a => a.DecidedByName).HasMaxLength(NameLength);
        approval.Property(a => a.RequestedVia).HasConversion<string>().HasMaxLength(EnumLength);
        approval.Property(a => a.DecidedVia).HasConversion<string>().HasMaxLength(EnumLength);
        approval.Property(a => a.Status).HasConversion<string>().HasMaxLength(EnumLength);
        approval.Property(a => a.Rule).HasMaxLength(NameLength);
        approval.Property(a => a.Version).IsConcurrencyToken();
        approval.HasIndex(a => new { a.Status, a.ExpiresAt });
        approval.HasIndex(a => a.CreatedAt);
    }

    private static void ConfigureAudit(EntityTypeBuilder<AuditRow> audit)
    {
        audit.ToTable("AuditLog");
        audit.HasKey(a => a.Sequence);
        audit.Property(a => a.Sequence).ValueGeneratedNever();
        audit.Property(a => a.Channel).HasConversion<string>().HasMaxLength(EnumLength);
        audit.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(EnumLength);
        audit.Property(a => a.PreviousHash).HasMaxLength(64).IsFixedLength();
        audit.Property(a => a.Hash).HasMaxLength(64).IsFixedLength();
        audit.HasIndex(a => a.At);
        audit.HasIndex(a => a.Action);
        audit.HasIndex(a => a.ActorName);
    }

    private static void ConfigureInbox(EntityTypeBuilder<InboxRow> inbox)
    {
        inbox.ToTable("InboxNotifications");
        inbox.HasKey(n => n.Id);
        inbox.Property(n => n.Id).ValueGeneratedNever();
        inbox.Property(n => n.Kind).HasConversion<string>().HasMaxLength(EnumLength);
        inbox.Property(n => n.Title).HasMaxLength(NameLength);
        inbox.HasIndex(n => new { n.UserId, n.CreatedAt });
        inbox.HasIndex(n => new { n.UserId, n.ReadAt });
    }

    private static void ConfigureSetupTokens(EntityTypeBuilder<SetupTokenRow> token)
    {
        token.ToTable("SetupTokens");
        token.HasKey(t => t.Id);
        token.Property(t => t.Id).ValueGeneratedNever();
        token.Property(t => t.Purpose).HasMaxLength(64);
        token.Property(t => t.TokenHash).HasMaxLength(64).IsFixedLength();
        token.HasIndex(t => t.TokenHash).IsUnique();
    }

    private static void ConfigureTelegram(ModelBuilder modelBuilder)
    {
        var link = modelBuilder.Entity<TelegramLinkRow>();
        link.ToTable("TelegramLinks");
        link.HasKey(l => l.UserId);
        link.Property(l => l.UserId).ValueGeneratedNever();
        link.Property(l => l.TelegramUserName).HasMaxLength(NameLength);
        link.HasIndex(l => l.TelegramUserId).IsUnique();

        var code = modelBuilder.Entity<TelegramLinkCodeRow>();
        code.ToTable("TelegramLinkCodes");
        code.HasKey(c => c.Id);
        code.Property(c => c.Id).ValueGeneratedNever();
        code.Property(c => c.CodeHash).HasMaxLength(64).IsFixedLength();
        code.HasIndex(c => c.CodeHash).IsUnique();
        code.HasIndex(c => c.UserId);

        var button = modelBuilder.Entity<TelegramButtonRow>();
        button.ToTable("TelegramButtons");
        button.HasKey(b => b.Id);
        button.Property(b => b.Id).HasMaxLength(32).ValueGeneratedNever();
        button.Property(b => b.Kind).HasMaxLength(EnumLength);
        button.HasIndex(b => b.ExpiresAt);
        button.HasIndex(b => b.ApprovalId);

        var message = modelBuilder.Entity<TelegramApprovalMessageRow>();
        message.ToTable("TelegramApprovalMessages");
        message.HasKey(m => m.Id);
        message.Property(m => m.Id).ValueGeneratedNever();
        message.HasIndex(m => m.ApprovalId);

        var group = modelBuilder.Entity<TelegramGroupRow>();
        group.ToTable("TelegramGroups");
        group.HasKey(g => g.ChatId);
        group.Property(g => g.ChatId).ValueGeneratedNever();
        group.Property(g => g.Title).HasMaxLength(NameLength);
        group.Property(g => g.AllowedByName).HasMaxLength(NameLength);

        var preference = modelBuilder.Entity<TelegramPreferenceRow>();
        preference.ToTable("TelegramPreferences");
        preference.HasKey(p => p.UserId);
        preference.Property(p => p.UserId).ValueGeneratedNever();
    }
}
