using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Playwright;
using PortalOps.EndToEnd.Tests.Infrastructure;
using PortalOps.Jobs.Tests.Aws.Support;
using static Microsoft.Playwright.Assertions;

namespace PortalOps.EndToEnd.Tests;

/// <summary>
/// Two web nodes and a worker node of the real binary on one PostgreSQL database, in front of moto through a counting proxy:
/// a terminate asked for in a browser on web node 1 is approved in another browser on web node 2 and carried out once by the
/// worker; then a worker killed while its terminate is on the wire (the call reached AWS, the answer never came back) is
/// replaced, and the request is settled by the new worker without a second call.
/// </summary>
[Trait("Category", "Peer")]
public sealed class MultiNodeApprovalTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "correct-horse-battery-staple";
    private static readonly TimeSpan PostgresStart = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ApprovalAskedOnOneWebNode_DecidedOnTheOther_RunsOnceOnTheWorker_AndAKilledWorkersRequestIsSettledWithoutASecondCall()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var moto = await Moto.StartAsync();
        await using var aws = await LoopbackProxy.StartAsync(new Uri(moto.Url));
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), new AmazonEC2Config { ServiceURL = moto.Url, AuthenticationRegion = "us-east-1" });
        var launched = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-12c6146b",
            InstanceType = InstanceType.T3Micro,
            MinCount = 2,
            MaxCount = 2,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("Name", "multi-node"), new Tag("env", "e2e")] }],
        });
        var ids = launched.Reservation.Instances.Select(i => i.InstanceId).Order().ToList();

        var keyFile = Path.Combine(Path.GetTempPath(), $"portalops-e2e-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        Dictionary<string, string?> Node(string role, int port) => new(Moto.DummyCredentials)
        {
            ["Aws:ServiceUrl"] = aws.Url.ToString().TrimEnd('/'),
            ["Aws:Accounts:0:Id"] = Moto.AccountId,
            ["Aws:Accounts:0:DisplayName"] = "Moto",
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
            ["Aws:InventoryMaxAgeSeconds"] = "1",
            ["ConnectionStrings:PortalOps"] = database.ConnectionString,
            ["Data:KeyFile"] = keyFile,
            ["Jobs:Role"] = role,
            ["Jobs:WorkerHealthUrls"] = $"http://127.0.0.1:{port}",
        };

        var ports = Enumerable.Range(0, 4).Select(_ => Loopback.FreePort()).ToList();
        var starting = new[] { ("web", ports[0]), ("web", ports[1]), ("worker", ports[2]) }.Select(n => Portal.StartAsync(Node(n.Item1, n.Item2), n.Item2, PostgresStart)).ToList();
        await Task.WhenAll(starting.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        await using var web1 = await starting[0];
        await using var web2 = await starting[1];
        var worker = await starting[2];
        Portal? replacement = null;
        try
        {
            var link = await web1.SetupLinkAsync(TimeSpan.FromSeconds(60));
            await browser.RunAsync("multi-node-admin", async admin =>
            {
                await web1.CreateFirstAdminAsync(admin, link, Password);
                await Browser.InteractiveAsync(admin);
                await CreateApproverAsync(admin, web1.BaseUrl);

                await browser.RunAsync("multi-node-approver", async approver =>
                {
                    await LogInAsync(approver, web2.BaseUrl, "bob");

                    // Asked on web node 1, decided on web node 2, carried out by the worker: one TerminateInstances reaches AWS.
                    await AskToTerminateAsync(admin, web1.BaseUrl, ids[0]);
                    await ApproveAsync(approver, web2.BaseUrl, ids[0]);
                    await Loopback.WaitUntilAsync(async () => await StateAsync(ec2, ids[0]) is "shutting-down" or "terminated", TimeSpan.FromSeconds(60), $"{ids[0]} terminated on moto");
                    await Task.Delay(TimeSpan.FromSeconds(5));
                    Assert.Equal(1, aws.CallsTo("TerminateInstances"));
                    await Expect(HistoryRow(approver, ids[0])).ToContainTextAsync("Executed", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });

                    // The worker is killed while its call is on the wire: the call reaches AWS, the answer is held until the caller is gone.
                    aws.TimeoutDelay = TimeSpan.FromMinutes(10);
                    aws.LoseAnswers("TerminateInstances", 1);
                    await AskToTerminateAsync(admin, web1.BaseUrl, ids[1]);
                    await ApproveAsync(approver, web2.BaseUrl, ids[1]);
                    await Loopback.WaitUntilAsync(() => Task.FromResult(aws.CallsTo("TerminateInstances") == 2), TimeSpan.FromSeconds(60), "the second TerminateInstances on the wire");
                    await worker.DisposeAsync();

                    replacement = await Portal.StartAsync(Node("worker", ports[3]), ports[3], PostgresStart);

                    // The new worker settles the request (its claim stopped beating) and never calls AWS for it again.
                    var row = HistoryRow(approver, ids[1]);
                    await Loopback.WaitUntilAsync(
                        async () =>
                        {
                            await approver.ReloadAsync();
                            await Browser.InteractiveAsync(approver);
                            await approver.GetByTestId("tab-history").ClickAsync();
                            return (await row.CountAsync()) == 1 && (await row.InnerTextAsync()).Contains("Failed", StringComparison.Ordinal);
                        },
                        TimeSpan.FromMinutes(5),
                        "the killed worker's request settled as Failed by the new worker");
                    await Expect(row).ToContainTextAsync("stopped (last seen");
                    Assert.Equal(2, aws.CallsTo("TerminateInstances"));
                    Assert.Contains(await StateAsync(ec2, ids[1]), new[] { "shutting-down", "terminated" });
                });
            });
        }
        finally
        {
            await worker.DisposeAsync();
            if (replacement is not null)
            {
                await replacement.DisposeAsync();
            }
        }
    }

    private static ILocator HistoryRow(IPage page, string instanceId) =>
        page.GetByTestId("history-grid").Locator("tbody tr").Filter(new LocatorFilterOptions { HasText = instanceId });

    private static async Task<string> StateAsync(AmazonEC2Client ec2, string id) =>
        (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] })).Reservations.SelectMany(r => r.Instances).Single().State.Name.Value;

    private static async Task CreateApproverAsync(IPage admin, string baseUrl)
    {
        await Browser.OpenAsync(admin, baseUrl + "/users");
        await admin.GetByTestId("user-create").ClickAsync();
        await admin.GetByTestId("new-username").FillAsync("bob");
        await admin.GetByTestId("new-role").ClickAsync();
        await admin.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasText = "Approver" }).ClickAsync();
        await admin.GetByTestId("new-scopes").FillAsync("*/*");
        await admin.GetByTestId("new-password").FillAsync(Password);
        await admin.GetByTestId("new-confirm").FillAsync(Password);
        await admin.GetByTestId("new-save").ClickAsync();
        await Expect(admin.GetByTestId("user-role-bob")).ToContainTextAsync("Approver");
    }

    private static async Task LogInAsync(IPage page, string baseUrl, string user)
    {
        await page.GotoAsync(baseUrl + "/login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", Password);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.WaitForURLAsync(baseUrl + "/", new PageWaitForURLOptions { Timeout = 60_000 });
        await Browser.InteractiveAsync(page);
    }

    private static async Task AskToTerminateAsync(IPage page, string baseUrl, string instanceId)
    {
        await Browser.OpenAsync(page, baseUrl + "/instances");
        var row = page.Locator("tbody tr").Filter(new LocatorFilterOptions { HasText = instanceId });
        await Expect(row).ToContainTextAsync("multi-node", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
        await row.Locator("input[type=checkbox]").CheckAsync(new LocatorCheckOptions { Force = true });
        await page.GetByTestId("action-terminate").ClickAsync();
        await page.GetByTestId("confirm-action").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "approval" }).First).ToBeVisibleAsync();
    }

    private static async Task ApproveAsync(IPage page, string baseUrl, string instanceId)
    {
        await Browser.OpenAsync(page, baseUrl + "/approvals");
        var row = page.GetByTestId("pending-grid").Locator("tbody tr").Filter(new LocatorFilterOptions { HasText = instanceId });
        await Expect(row).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        await row.Locator("[data-testid^=approve-]").ClickAsync();
        await page.GetByTestId("decision-confirm").ClickAsync();
        await Expect(row).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        await page.GetByTestId("tab-history").ClickAsync();
    }
}
