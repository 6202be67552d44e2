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

    internal DbSet<ApprovalRuleSetRow> ApprovalRuleSets => Set<ApprovalRuleSetRow>();

    internal DbSet<LaunchTemplateRow> LaunchTemplates => Set<LaunchTemplateRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ConfigureUsers(modelBuilder.Entity<UserRow>());
        ConfigureApprovals(modelBuilder.Entity<ApprovalRow>());
        ConfigureAudit(modelBuilder.Entity<AuditRow>());
        ConfigureInbox(modelBuilder.Entity<InboxRow>());
        ConfigureSetupTokens(modelBuilder.Entity<SetupTokenRow>());
        ConfigureApprovalRules(modelBuilder.Entity<ApprovalRuleSetRow>());
        ConfigureLaunchTemplates(modelBuilder.Entity<LaunchTemplateRow>());
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

    private static void ConfigureApprovalRules(EntityTypeBuilder<ApprovalRuleSetRow> rules)
    {
        rules.ToTable("ApprovalRules");
        rules.HasKey(r => r.Id);
        rules.Property(r => r.Id).ValueGeneratedNever();
        rules.Property(r => r.UpdatedBy).HasMaxLength(NameLength);
        rules.Property(r => r.Version).IsConcurrencyToken();
    }

    private static void ConfigureLaunchTemplates(EntityTypeBuilder<LaunchTemplateRow> template)
    {
        template.ToTable("LaunchTemplates");
        template.HasKey(t => t.Id);
        template.Property(t => t.Id).ValueGeneratedNever();
        template.Property(t => t.Name).HasMaxLength(100);
        template.Property(t => t.NormalizedName).HasMaxLength(100);
        template.Property(t => t.UpdatedBy).HasMaxLength(NameLength);
        template.Property(t => t.Version).IsConcurrencyToken();
        template.HasIndex(t => t.NormalizedName).IsUnique();
    }
}
