using Microsoft.EntityFrameworkCore;

namespace PortalOps.Jobs.Persistence;

/// <summary>A kept compliance report, one per schedule and period (unique), with its PDF in <see cref="ComplianceReportFileRow"/>.</summary>
internal sealed class ComplianceReportRow
{
    public Guid Id { get; set; }

    public string Schedule { get; set; } = string.Empty;

    public string PeriodKey { get; set; } = string.Empty;

    public DateTimeOffset From { get; set; }

    public DateTimeOffset To { get; set; }

    /// <summary>The scopes it covers, "account/region[/key=value]" joined by spaces.</summary>
    public string Scopes { get; set; } = string.Empty;

    public DateTimeOffset GeneratedAt { get; set; }

    public int OpenFindings { get; set; }

    public double? Score { get; set; }

    public string FileName { get; set; } = string.Empty;

    public long Size { get; set; }

    public long? TelegramChatId { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public string? DeliveryProblem { get; set; }

    /// <summary>The addresses it is e-mailed to, one a line (a display name may hold spaces and commas); empty when none.</summary>
    public string EmailTo { get; set; } = string.Empty;

    public DateTimeOffset? EmailedAt { get; set; }

    public string? EmailProblem { get; set; }
}

/// <summary>The PDF of a kept report, apart from its row so that lists never read files.</summary>
internal sealed class ComplianceReportFileRow
{
    public Guid ReportId { get; set; }

    public byte[] Content { get; set; } = [];
}

internal static class ComplianceReportModel
{
    public static void Configure(ModelBuilder model)
    {
        var report = model.Entity<ComplianceReportRow>();
        report.ToTable("ComplianceReports");
        report.HasKey(r => r.Id);
        report.Property(r => r.Id).ValueGeneratedNever();
        report.Property(r => r.Schedule).HasMaxLength(64);
        report.Property(r => r.PeriodKey).HasMaxLength(16);
        report.Property(r => r.Scopes).HasMaxLength(2000);
        report.Property(r => r.FileName).HasMaxLength(200);
        report.Property(r => r.DeliveryProblem).HasMaxLength(1000);
        report.Property(r => r.EmailTo).HasMaxLength(2000).HasDefaultValue(string.Empty);
        report.Property(r => r.EmailProblem).HasMaxLength(1000);
        report.HasIndex(r => new { r.Schedule, r.PeriodKey }).IsUnique();
        report.HasIndex(r => r.GeneratedAt);

        var file = model.Entity<ComplianceReportFileRow>();
        file.ToTable("ComplianceReportFiles");
        file.HasKey(f => f.ReportId);
        file.Property(f => f.ReportId).ValueGeneratedNever();
        file.HasOne<ComplianceReportRow>().WithOne().HasForeignKey<ComplianceReportFileRow>(f => f.ReportId).OnDelete(DeleteBehavior.Cascade);
    }
}
