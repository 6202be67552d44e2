using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using UglyToad.PdfPig;

namespace PortalOps.Web.Tests.Integration;

/// <summary>
/// Patch compliance leaves the portal in three files: <c>/patching/compliance.csv</c> (the Compliance page's table),
/// <c>/patching/instances.csv</c> (the Managed instances page's rows, every page, with its filters) and the compliance PDF's patch
/// section. Each holds what the reader's scope covers and nothing else.
/// </summary>
public sealed class PatchingExportTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string Account = "444455556666";

    private async Task<(string Critical, string Clean, string East)> StoreStatesAsync()
    {
        var now = portal.Clock.GetUtcNow();
        InstancePatchState State(string region, string id, int critical, int security) =>
            new(new InstanceRef(Account, region, id), $"patch-{id[^4..]}", Footprint.Of(Account, region, new Dictionary<string, string> { ["env"] = "prod" }), "prod",
                new AgentStatus(new InstanceRef(Account, region, id), AgentPing.Online, "Amazon Linux", "3.3.40.0", now, null, null))
            {
                Installed = 40, Missing = critical + security, CriticalNonCompliant = critical, SecurityNonCompliant = security, LastScanAt = now.AddHours(-1), UpdatedAt = now,
            };

        var critical = "i-0a1b2c3d4e5f60001";
        var clean = "i-0a1b2c3d4e5f60002";
        var east = "i-0a1b2c3d4e5f60003";
        using var scope = portal.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IPatchStateStore>().UpsertAsync(
            [State("eu-west-1", critical, 2, 0), State("eu-west-1", clean, 0, 0), State("us-east-1", east, 0, 3)]);
        return (critical, clean, east);
    }

    [Fact]
    public async Task ComplianceCsv_ScopedViewer_HoldsOnlyItsRegion_AdminHoldsBoth()
    {
        var (critical, clean, east) = await StoreStatesAsync();
        await portal.CreateUserAsync("patch-csv-admin", Role.Admin);
        await portal.CreateUserAsync("patch-csv-west", Role.Viewer, $"{Account}/eu-west-1");

        using var west = await portal.LoginAsync("patch-csv-west");
        using var admin = await portal.LoginAsync("patch-csv-admin");
        var response = await west.GetAsync("/patching/compliance.csv?by=Instance");
        var westInstances = await response.Content.ReadAsStringAsync();
        var westRegions = await west.GetStringAsync("/patching/compliance.csv?by=Region");
        var adminRegions = await admin.GetStringAsync("/patching/compliance.csv?by=Region");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("portalops-patch-compliance.csv", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var rows = westInstances.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Instance,Compliant,NonCompliantCritical,NonCompliantSecurity,NonCompliantOther,Unknown,Total", rows[0]);
        Assert.Equal(3, rows.Length);
        Assert.Contains(rows, r => r.Contains(critical, StringComparison.Ordinal) && r.EndsWith(",0,1,0,0,0,1", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains(clean, StringComparison.Ordinal) && r.EndsWith(",1,0,0,0,0,1", StringComparison.Ordinal));
        Assert.DoesNotContain(east, westInstances, StringComparison.Ordinal);
        Assert.Equal(["Region,Compliant,NonCompliantCritical,NonCompliantSecurity,NonCompliantOther,Unknown,Total", $"{Account}/eu-west-1,1,1,0,0,0,2"],
            westRegions.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{Account}/eu-west-1,1,1,0,0,0,2", adminRegions, StringComparison.Ordinal);
        Assert.Contains($"{Account}/us-east-1,0,0,1,0,0,1", adminRegions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComplianceCsv_Anonymous_IsNotServed()
    {
        using var anonymous = portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await anonymous.GetAsync("/patching/compliance.csv");
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CompliancePdf_HasThePatchSection_WithTheReadersRegionsOnly()
    {
        await StoreStatesAsync();
        await portal.CreateUserAsync("patch-pdf-admin", Role.Admin);
        await portal.CreateUserAsync("patch-pdf-west", Role.Viewer, $"{Account}/eu-west-1");

        using var west = await portal.LoginAsync("patch-pdf-west");
        using var admin = await portal.LoginAsync("patch-pdf-admin");
        var westText = Text(await west.GetByteArrayAsync("/compliance/report.pdf"));
        var adminText = Text(await admin.GetByteArrayAsync("/compliance/report.pdf"));

        var westPatches = westText[westText.LastIndexOf("Patch compliance", StringComparison.Ordinal)..];
        Assert.Contains("Instances by patch state, per account and region", westPatches, StringComparison.Ordinal);
        Assert.Contains($"{Account}/eu-west-1", westPatches, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Account}/us-east-1", westText, StringComparison.Ordinal);
        Assert.Contains("50.0% of 2 instance(s) with a known state", westText, StringComparison.Ordinal);
        var adminPatches = adminText[adminText.LastIndexOf("Patch compliance", StringComparison.Ordinal)..];
        Assert.Contains($"{Account}/eu-west-1", adminPatches, StringComparison.Ordinal);
        Assert.Contains($"{Account}/us-east-1", adminPatches, StringComparison.Ordinal);
    }

    private const string FleetAccount = "777788889999";
    private const string OtherAccount = "111122223333";
    private const string InstancesHeader = "instance_id,name,account,region,ping_status,platform,agent_version,last_ping,reason,fix";

    private static string FleetId(int n) => $"i-0f1e2d3c4b5a{n:00000}";

    /// <summary>
    /// 510 states in one account and region (more than one store page of 500): every tenth agent not managed (offline, with a reason
    /// and a fix), one instance named like a spreadsheet formula; and three in another account.
    /// </summary>
    private async Task StoreFleetAsync()
    {
        var now = portal.Clock.GetUtcNow();
        InstancePatchState State(string account, string id, string name, bool managed)
        {
            var instance = new Instance(new InstanceRef(account, "eu-west-1", id), name, "t3.micro", InstanceState.Running, "eu-west-1a", "Linux/UNIX", now.AddDays(-3),
                new Dictionary<string, string> { ["env"] = "prod" }, []);
            var agent = AgentStatus.Of(instance, managed ? new ManagedInstance(id, "Online", "Ubuntu", "3.3.40.0", now.AddMinutes(-4)) : null, now);
            return new InstancePatchState(instance.Ref, name, Footprint.Of(account, "eu-west-1", instance.Tags), "prod", agent) { LastScanAt = now.AddHours(-1), UpdatedAt = now };
        }

        var states = Enumerable.Range(0, 510).Select(n => State(FleetAccount, FleetId(n), n == 7 ? "=HYPERLINK(\"http://x\",\"y\")" : $"fleet-{n:000}", n % 10 != 3))
            .Concat(Enumerable.Range(0, 3).Select(n => State(OtherAccount, $"i-0aaaabbbbcccc{n:0000}", $"other-{n}", true)))
            .ToList();
        using var scope = portal.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IPatchStateStore>().UpsertAsync(states);
    }

    [Fact]
    public async Task InstancesCsv_ViewerOfTheAccount_HoldsEveryPage_ViewerOfAnotherAccountOrRegion_HoldsNone()
    {
        await StoreFleetAsync();
        await portal.CreateUserAsync("instances-csv-fleet", Role.Viewer, $"{FleetAccount}/*");
        await portal.CreateUserAsync("instances-csv-other", Role.Viewer, $"{OtherAccount}/*");
        await portal.CreateUserAsync("instances-csv-east", Role.Viewer, $"{FleetAccount}/us-east-1");

        using var fleet = await portal.LoginAsync("instances-csv-fleet");
        using var other = await portal.LoginAsync("instances-csv-other");
        using var east = await portal.LoginAsync("instances-csv-east");
        var response = await fleet.GetAsync("/patching/instances.csv");
        var fleetCsv = await response.Content.ReadAsStringAsync();
        var otherCsv = await other.GetStringAsync("/patching/instances.csv");
        var eastCsv = await east.GetStringAsync("/patching/instances.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("portalops-managed-instances.csv", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var rows = ReadCsv(fleetCsv);
        Assert.Equal(InstancesHeader, string.Join(',', rows[0]));
        Assert.Equal(510, rows.Count - 1);
        Assert.Equal(Enumerable.Range(0, 510).Select(FleetId).Order(StringComparer.Ordinal), rows.Skip(1).Select(r => r[0]).Order(StringComparer.Ordinal));
        Assert.All(rows.Skip(1), r => Assert.Equal(10, r.Count));
        Assert.All(rows.Skip(1), r => Assert.Equal([FleetAccount, "eu-west-1"], r[2..4]));
        Assert.DoesNotContain(OtherAccount, fleetCsv, StringComparison.Ordinal);

        var online = rows.Single(r => r[0] == FleetId(0));
        Assert.Equal(["fleet-000", "Online", "Ubuntu", "3.3.40.0", portal.Clock.GetUtcNow().AddMinutes(-4).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), "", ""],
            new[] { online[1] }.Concat(online[4..]));
        var offline = rows.Single(r => r[0] == FleetId(13));
        Assert.Equal("NotManaged", offline[4]);
        Assert.StartsWith("Systems Manager does not know this instance", offline[8], StringComparison.Ordinal);
        Assert.Contains("AmazonSSMManagedInstanceCore", offline[9], StringComparison.Ordinal);

        // The other account's viewer gets its own three rows and none of the fleet; a viewer of another region gets the header only.
        var otherRows = ReadCsv(otherCsv);
        Assert.Equal(["other-0", "other-1", "other-2"], otherRows.Skip(1).Select(r => r[1]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(FleetAccount, otherCsv, StringComparison.Ordinal);
        Assert.Equal([InstancesHeader], eastCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task InstancesCsv_PageFilters_ApplyToTheFile_AndAFormulaIsDefused()
    {
        await StoreFleetAsync();
        await portal.CreateUserAsync("instances-csv-filter", Role.Viewer, $"{FleetAccount}/*");
        using var client = await portal.LoginAsync("instances-csv-filter");

        var offline = ReadCsv(await client.GetStringAsync("/patching/instances.csv?agent=offline")).Skip(1).ToList();
        var online = ReadCsv(await client.GetStringAsync("/patching/instances.csv?agent=online")).Skip(1).ToList();
        var text = ReadCsv(await client.GetStringAsync("/patching/instances.csv?text=fleet-12")).Skip(1).ToList();
        var formula = await client.GetStringAsync($"/patching/instances.csv?text={FleetId(7)}");
        var badAgent = await client.GetAsync("/patching/instances.csv?agent=sleeping");
        var badCompliance = await client.GetAsync("/patching/instances.csv?compliance=3");

        Assert.Equal(51, offline.Count);
        Assert.All(offline, r => Assert.Equal("NotManaged", r[4]));
        Assert.All(offline, r => Assert.NotEqual("", r[9]));
        Assert.Equal(459, online.Count);
        Assert.All(online, r => Assert.Equal("Online", r[4]));
        Assert.Equal(Enumerable.Range(120, 10).Select(n => $"fleet-{n}"), text.Select(r => r[1]).Order(StringComparer.Ordinal));
        Assert.Contains($"{FleetId(7)},\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",{FleetAccount}", formula, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badAgent.StatusCode);
        Assert.Equal("agent is all, online or offline.", await badAgent.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badCompliance.StatusCode);
        Assert.StartsWith("compliance is one of Compliant", await badCompliance.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstancesCsv_Anonymous_IsNotServed()
    {
        using var anonymous = portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await anonymous.GetAsync("/patching/instances.csv");
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(InstancesHeader, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>RFC 4180: fields split on commas outside quotes, doubled quotes inside them.</summary>
    private static List<List<string>> ReadCsv(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else if (c != '\r')
            {
                field.Append(c);
            }
        }

        return rows;
    }

    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        var text = new StringBuilder();
        foreach (var page in document.GetPages())
        {
            text.Append(page.Text);
        }

        return text.ToString();
    }
}
