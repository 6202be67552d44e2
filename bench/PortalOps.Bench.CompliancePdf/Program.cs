using System.Diagnostics;
using System.Globalization;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Compliance.Reports;

// A compliance report of N open findings (20 policies, 8 account/regions, owners, evidence that wraps) written as a PDF into
// memory: one warm-up report of 1,000 findings (JIT, font loading), then R timed runs of the full report. Prints wall time, CPU, the PDF's
// size and pages, and the process's peak working set (everything the process held, the report's findings included).
var findings = Arg("--findings", 10_000);
var runs = Arg("--runs", 3);
var now = new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
var policies = Enumerable.Range(0, 20).Select(i => $"policy-{i:D2}-{(i % 2 == 0 ? "instance-imdsv1-allowed" : "volume-unencrypted")}").ToList();
var scopes = Enumerable.Range(0, 8).Select(i => new CloudScope($"1234567890{i:D2}", i % 2 == 0 ? "eu-west-1" : "us-east-1")).ToList();

var writer = new ComplianceReportPdf();
_ = Write(Report(1000));
var wall = new List<double>();
var cpu = new List<double>();
long size = 0;
var pages = 0;
for (var r = 0; r < runs; r++)
{
    var report = Report(findings);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    (size, pages) = Write(report);
    watch.Stop();
    wall.Add(watch.Elapsed.TotalMilliseconds);
    cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
}

using var process = Process.GetCurrentProcess();
process.Refresh();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"pdf: {findings} open findings, {policies.Count} policies; {size / 1024.0 / 1024.0:F1} MB, {pages} pages; wall median {Median(wall):F0} ms (max {wall.Max():F0}), CPU median {Median(cpu):F0} ms over {runs} runs; peak working set {process.PeakWorkingSet64 / 1024.0 / 1024.0:F0} MB"));

(long Size, int Pages) Write(ComplianceReport report)
{
    using var stream = new MemoryStream();
    writer.Write(report, stream);

    // Page objects are written uncompressed ("/Type /Page", unlike the "/Type /Pages" tree).
    var raw = System.Text.Encoding.Latin1.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    return (stream.Length, System.Text.RegularExpressions.Regex.Count(raw, @"/Type\s*/Page\b"));
}

ComplianceReport Report(int count)
{
    var random = new Random(11);
    var open = Enumerable.Range(0, count).Select(i =>
    {
        var scope = scopes[i % scopes.Count];
        var owner = i % 9 == 0 ? null : $"team-{i % 23}@example.com";
        return Finding.Restore(
            Guid.NewGuid(), policies[i % policies.Count], (Severity)(i % 4), ResourceType.Instance, scope, $"i-{i:x17}", $"web-{i:D5}",
            new Dictionary<string, string> { ["Owner"] = owner ?? string.Empty }, owner,
            i % 3 == 0
                ? $"metadata options allow IMDSv1 (HttpTokens=optional); launched {random.Next(30, 900)} days ago on an image {random.Next(30, 900)} days old; no Owner tag; detailed monitoring off"
                : "encrypted is false",
            FindingStatus.Open, now.AddDays(-random.Next(1, 90)), now, null, 0, null, []);
    }).OrderByDescending(f => f.Severity).ThenBy(f => f.PolicyId, StringComparer.Ordinal).ThenBy(f => f.ResourceId, StringComparer.Ordinal).ToList();
    var tallies = policies.SelectMany(p => scopes.Select(s => new PolicyTally(p, s, 1250, open.Count(f => f.PolicyId == p && f.Scope == s)))).ToList();
    var (byScope, byPolicy, overall) = ComplianceScore.Of(tallies);
    return new ComplianceReport(
        new ComplianceReportRequest("*/*", new ReadScope([Scope.Everything]), now.AddDays(-7), now, "bench (Admin)"),
        now, now.AddHours(-1), overall, overall.Percent - 1.5, byScope, byPolicy,
        byPolicy.Select(s => new ReportPolicy(s.Group, "Title of " + s.Group, Severity.High, null, s, open.Count(f => f.PolicyId == s.Group), 0)).ToList(),
        open, [], null, [new PatchComplianceRow("123456789000/eu-west-1", 400, 12, 30, 8, 50)]);
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
