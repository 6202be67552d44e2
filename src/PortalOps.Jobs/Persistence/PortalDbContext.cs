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

    internal DbSet<SessionRow> Sessions => Set<SessionRow>();

    internal DbSet<ApprovalRow> Approvals => Set<ApprovalRow>();

    internal DbSet<AuditRow> AuditLog => Set<AuditRow>();

    internal DbSet<InboxRow> Inbox => Set<InboxRow>();

    internal DbSet<SetupTokenRow> SetupTokens => Set<SetupTokenRow>();

    internal DbSet<MetricPointRow> MetricPoints => Set<MetricPointRow>();

    internal DbSet<InstanceHealthRow> InstanceHealth => Set<InstanceHealthRow>();

    internal DbSet<MonitoringStateRow> MonitoringState => Set<MonitoringStateRow>();

    internal DbSet<AlertRuleRow> AlertRules => Set<AlertRuleRow>();

    internal DbSet<AlertRow> Alerts => Set<AlertRow>();

    internal DbSet<MaintenanceWindowRow> MaintenanceWindows => Set<MaintenanceWindowRow>();

    internal DbSet<TelegramAlertMessageRow> TelegramAlertMessages => Set<TelegramAlertMessageRow>();
    internal DbSet<TelegramLinkRow> TelegramLinks => Set<TelegramLinkRow>();

    internal DbSet<TelegramLinkCodeRow> TelegramLinkCodes => Set<TelegramLinkCodeRow>();

    internal DbSet<TelegramButtonRow> TelegramButtons => Set<TelegramButtonRow>();

    internal DbSet<TelegramApprovalMessageRow> TelegramApprovalMessages => Set<TelegramApprovalMessageRow>();

    internal DbSet<TelegramGroupRow> TelegramGroups => Set<TelegramGroupRow>();

    internal DbSet<TelegramPreferenceRow> TelegramPreferences => Set<TelegramPreferenceRow>();
    internal DbSet<ApprovalRuleSetRow> ApprovalRuleSets => Set<ApprovalRuleSetRow>();

    internal DbSet<LaunchTemplateRow> LaunchTemplates => Set<LaunchTemplateRow>();

    internal DbSet<ExecutedActionRow> ExecutedActions => Set<ExecutedActionRow>();

    internal DbSet<AuditAnchorRow> AuditAnchors => Set<AuditAnchorRow>();

    internal DbSet<AuditVerificationRow> AuditVerifications => Set<AuditVerificationRow>();

    internal DbSet<CompliancePolicyVersionRow> CompliancePolicyVersions => Set<CompliancePolicyVersionRow>();

    internal DbSet<CompliancePolicySettingRow> CompliancePolicySettings => Set<CompliancePolicySettingRow>();

    internal DbSet<ComplianceFindingRow> ComplianceFindings => Set<ComplianceFindingRow>();

    internal DbSet<ComplianceWaiverRow> ComplianceWaivers => Set<ComplianceWaiverRow>();

    internal DbSet<ComplianceTallyRow> ComplianceTallies => Set<ComplianceTallyRow>();

    internal DbSet<ComplianceScanRow> ComplianceScans => Set<ComplianceScanRow>();

    internal DbSet<ComplianceReportRow> ComplianceReports => Set<ComplianceReportRow>();

    internal DbSet<ComplianceReportFileRow> ComplianceReportFiles => Set<ComplianceReportFileRow>();
    internal DbSet<CostRecommendationRow> CostRecommendations => Set<CostRecommendationRow>();

    internal DbSet<CostDismissalRow> CostDismissals => Set<CostDismissalRow>();

    internal DbSet<CostScanRow> CostScans => Set<CostScanRow>();

    internal DbSet<CostBudgetRow> CostBudgets => Set<CostBudgetRow>();

    internal DbSet<CostSavingRow> CostSavings => Set<CostSavingRow>();

    internal DbSet<CostDigestSubscriptionRow> CostDigestSubscriptions => Set<CostDigestSubscriptionRow>();

    internal DbSet<CostDigestRow> CostDigests => Set<CostDigestRow>();
    internal DbSet<CapacitySampleRow> CapacitySamples => Set<CapacitySampleRow>();

    internal DbSet<TelegramPacingRow> TelegramPacing => Set<TelegramPacingRow>();

    internal DbSet<LoginFailureRow> LoginFailures => Set<LoginFailureRow>();

    internal DbSet<DrainedRegistrationRow> DrainedRegistrations => Set<DrainedRegistrationRow>();

    internal DbSet<RegistrationIndexRow> RegistrationIndex => Set<RegistrationIndexRow>();

    internal DbSet<DrainProgressRow> DrainProgress => Set<DrainProgressRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ConfigureUsers(modelBuilder.Entity<UserRow>());
        ConfigureSessions(modelBuilder.Entity<SessionRow>());
        ConfigureApprovals(modelBuilder.Entity<ApprovalRow>());
        ConfigureAudit(modelBuilder.Entity<AuditRow>());
        ConfigureInbox(modelBuilder.Entity<InboxRow>());
        ConfigureSetupTokens(modelBuilder.Entity<SetupTokenRow>());
        ConfigureMonitoring(modelBuilder);
        ConfigureTelegram(modelBuilder);
        ConfigureApprovalRules(modelBuilder.Entity<ApprovalRuleSetRow>());
        ConfigureLaunchTemplates(modelBuilder.Entity<LaunchTemplateRow>());
        modelBuilder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
        ConfigureExactlyOnce(modelBuilder.Entity<ExecutedActionRow>());
        ConfigureKeyedAudit(modelBuilder);
        ComplianceModel.Configure(modelBuilder);
        PatchingModel.Configure(modelBuilder);
        ComplianceReportModel.Configure(modelBuilder);
        BackupsModel.Configure(modelBuilder);
        CostsModel.Configure(modelBuilder);
        CostBudgetsModel.Configure(modelBuilder);
        ScalingModel.Configure(modelBuilder);
        ScaleOutModel.Configure(modelBuilder);
        OffHoursModel.Configure(modelBuilder);
        LoadBalancingModel.Configure(modelBuilder);
    }

    private static void ConfigureExactlyOnce(EntityTypeBuilder<ExecutedActionRow> executed)
    {
        executed.ToTable("ExecutedActions");
        executed.HasKey(e => e.Key);
        executed.Property(e => e.Key).HasMaxLength(EfActionLedger.MaxKeyLength + 8);
        executed.Property(e => e.KindName).HasMaxLength(64);
        executed.Property(e => e.Summary).HasMaxLength(2000);
        executed.Property(e => e.RequestId).HasMaxLength(2000);
        executed.HasIndex(e => e.ClaimedAt);
    }

    private static void ConfigureKeyedAudit(ModelBuilder modelBuilder)
    {
        var anchor = modelBuilder.Entity<AuditAnchorRow>();
        anchor.ToTable("AuditAnchors");
        anchor.HasKey(a => a.Id);
        anchor.Property(a => a.Id).ValueGeneratedNever();
        anchor.Property(a => a.Hash).HasMaxLength(64).IsFixedLength();
        anchor.Property(a => a.KeyId).HasMaxLength(16);
        anchor.Property(a => a.Mac).HasMaxLength(64).IsFixedLength();

        var run = modelBuilder.Entity<AuditVerificationRow>();
        run.ToTable("AuditVerifications");
        run.HasKey(r => r.Id);
        run.Property(r => r.Id).ValueGeneratedNever();
        run.Property(r => r.StartedByName).HasMaxLength(NameLength);
        run.Property(r => r.Result).HasMaxLength(2000);
        run.HasIndex(r => r.StartedAt);
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
        user.Property(u => u.Version).IsConcurrencyToken();
    }

    private static void ConfigureSessions(EntityTypeBuilder<SessionRow> session)
    {
        session.ToTable("Sessions");
        session.HasKey(s => s.IdHash);
        session.Property(s => s.IdHash).HasMaxLength(64).IsFixedLength();
        session.Property(s => s.Method).HasMaxLength(EnumLength);
        session.HasIndex(s => s.StartedAt);
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
        audit.Property(a => a.KeyId).HasMaxLength(16);
        audit.HasIndex(a => a.At);
        audit.HasIndex(a => a.Action);
        audit.HasIndex(a => a.ActorName);
        audit.HasIndex(a => new { a.FootprintAccount, a.FootprintRegion });
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
        inbox.HasIndex(n => new { n.UserId, n.AlertId });
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

    private static void ConfigureMonitoring(ModelBuilder model)
    {
        const int InstanceKeyLength = 100;
        var point = model.Entity<MetricPointRow>();
        point.ToTable("MetricPoints");
        point.HasKey(p => new { p.Instance, p.Metric, p.At });
        point.Property(p => p.Instance).HasMaxLength(InstanceKeyLength);
        point.Property(p => p.Metric).HasConversion<string>().HasMaxLength(EnumLength);
        point.HasIndex(p => p.At);

        var health = model.Entity<InstanceHealthRow>();
        health.ToTable("InstanceHealth");
        health.HasKey(h => h.Instance);
        health.Property(h => h.Instance).HasMaxLength(InstanceKeyLength);
        health.Property(h => h.Name).HasMaxLength(NameLength);
        health.Property(h => h.SystemStatus).HasConversion<string>().HasMaxLength(EnumLength);
        health.Property(h => h.InstanceStatus).HasConversion<string>().HasMaxLength(EnumLength);
        health.HasIndex(h => h.Cpu);

        var state = model.Entity<MonitoringStateRow>();
        state.ToTable("MonitoringState");
        state.HasKey(s => s.Key);
        state.Property(s => s.Key).HasMaxLength(64);

        var rule = model.Entity<AlertRuleRow>();
        rule.ToTable("AlertRules");
        rule.HasKey(r => r.Id);
        rule.Property(r => r.Id).ValueGeneratedNever();
        rule.Property(r => r.Name).HasMaxLength(NameLength);
        rule.Property(r => r.Kind).HasConversion<string>().HasMaxLength(EnumLength);
        rule.Property(r => r.Metric).HasConversion<string>().HasMaxLength(EnumLength);
        rule.Property(r => r.Statistic).HasConversion<string>().HasMaxLength(EnumLength);
        rule.Property(r => r.Comparison).HasConversion<string>().HasMaxLength(EnumLength);
        rule.Property(r => r.ScopeKind).HasConversion<string>().HasMaxLength(EnumLength);
        rule.Property(r => r.ScopeValue).HasMaxLength(NameLength);
        rule.Property(r => r.Severity).HasConversion<string>().HasMaxLength(EnumLength);
        rule.Property(r => r.NotifyRole).HasMaxLength(EnumLength);
        rule.Property(r => r.OwnerName).HasMaxLength(NameLength);
        rule.Property(r => r.Version).IsConcurrencyToken();

        var alert = model.Entity<AlertRow>();
        alert.ToTable("Alerts");
        alert.HasKey(a => a.Id);
        alert.Property(a => a.Id).ValueGeneratedNever();
        alert.Property(a => a.RuleName).HasMaxLength(NameLength);
        alert.Property(a => a.Severity).HasConversion<string>().HasMaxLength(EnumLength);
        alert.Property(a => a.Status).HasConversion<string>().HasMaxLength(EnumLength);
        alert.Property(a => a.AcknowledgedByName).HasMaxLength(NameLength);
        alert.Property(a => a.ResolvedByName).HasMaxLength(NameLength);
        alert.Property(a => a.Version).IsConcurrencyToken();
        alert.HasIndex(a => new { a.IsOpen, a.OpenedAt });
        alert.HasIndex(a => a.RuleId);

        var window = model.Entity<MaintenanceWindowRow>();
        window.ToTable("MaintenanceWindows");
        window.HasKey(w => w.Id);
        window.Property(w => w.Id).ValueGeneratedNever();
        window.Property(w => w.Name).HasMaxLength(NameLength);
        window.Property(w => w.ScopeKind).HasConversion<string>().HasMaxLength(EnumLength);
        window.Property(w => w.ScopeValue).HasMaxLength(NameLength);
        window.Property(w => w.CreatedByName).HasMaxLength(NameLength);
        window.HasIndex(w => w.EndsAt);

        var message = model.Entity<TelegramAlertMessageRow>();
        message.ToTable("TelegramAlertMessages");
        message.HasKey(m => m.Id);
        message.Property(m => m.Id).ValueGeneratedNever();
        message.HasIndex(m => new { m.AlertId, m.ChatId });
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
