using System.Net;
using System.Text;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Protocol;

public sealed class AwsProtocolClientTests
{
    private static readonly AwsEndpoint Endpoint = TestAws.Clients(TestAws.Options(new Uri("http://127.0.0.1:9/")))
        .Endpoint(TestAws.AccountId, "eu-west-1", AwsServiceDescriptor.AutoScaling);

    [Fact]
    public void ToFormBody_NestedListsAndStructures_FlattenAsQueryProtocol()
    {
        var body = new QueryParameters()
            .Add("Name", "a b")
            .List("Zones", ["z1", "z2"])
            .List("Steps", [1, 2], (s, i) => s.Add("Adjust", i))
            .Struct("Spec", s => s.Add("On", true))
            .Add("Skipped", (string?)null)
            .ToFormBody("Do", "2011-01-01");
        Assert.Equal("Action=Do&Version=2011-01-01&Name=a%20b&Zones.member.1=z1&Zones.member.2=z2&Steps.member.1.Adjust=1&Steps.member.2.Adjust=2&Spec.On=true", body);
    }

    [Fact]
    public async Task QueryAsync_ThrottledTwice_RetriesAndReturnsResultWithRequestId()
    {
        var handler = new Scripted(
            (HttpStatusCode.BadRequest, "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>"),
            (HttpStatusCode.ServiceUnavailable, "<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error><RequestId>r2</RequestId></ErrorResponse>"),
            (HttpStatusCode.OK, "<DoResponse><DoResult><X>1</X></DoResult><ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></DoResponse>"));
        var client = new AwsProtocolClient(new HttpClient(handler), new AwsRetryPolicy(3, TimeSpan.FromMilliseconds(1)));

        var response = await client.QueryAsync(Endpoint, "Do", new QueryParameters(), CancellationToken.None);

        Assert.Equal(1, response.Body.Int("X"));
        Assert.Equal("r3", response.RequestId);
        Assert.Equal(3, client.Calls);
        Assert.Contains("Credential=testing/", handler.Authorization, StringComparison.Ordinal);
        Assert.True(handler.Authorization.Contains("/eu-west-1/autoscaling/aws4_request", StringComparison.Ordinal), handler.Authorization);
    }

    [Fact]
    public async Task QueryAsync_ValidationError_IsNotRetriedAndCarriesCodeAndRequestId()
    {
        var handler = new Scripted((HttpStatusCode.BadRequest, "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>bad name</Message></Error><RequestId>r9</RequestId></ErrorResponse>"));
        var client = new AwsProtocolClient(new HttpClient(handler), new AwsRetryPolicy(5, TimeSpan.FromMilliseconds(1)));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.QueryAsync(Endpoint, "Do", new QueryParameters(), CancellationToken.None));

        Assert.Equal(("ValidationError", "bad name", "r9", HttpStatusCode.BadRequest), (error.ErrorCode, error.ErrorMessage, error.RequestId, error.StatusCode));
        Assert.Equal(1, client.Calls);
    }

    [Fact]
    public async Task JsonAsync_ErrorType_IsReadFromTypeField()
    {
        var ce = TestAws.Clients(TestAws.Options(new Uri("http://127.0.0.1:9/"))).Endpoint(TestAws.AccountId, "eu-west-1", AwsServiceDescriptor.CostExplorer);
        var handler = new Scripted((HttpStatusCode.BadRequest, "{\"__type\":\"com.amazonaws.ce#DataUnavailableException\",\"message\":\"no data\"}"));
        var client = new AwsProtocolClient(new HttpClient(handler), new AwsRetryPolicy(3, TimeSpan.FromMilliseconds(1)));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.JsonAsync(ce, "GetCostAndUsage", new System.Text.Json.Nodes.JsonObject(), CancellationToken.None));

        Assert.Equal("DataUnavailableException", error.ErrorCode);
        Assert.Equal("no data", error.ErrorMessage);
        Assert.Contains("/us-east-1/ce/aws4_request", handler.Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_NoAnswerInTime_RetriesThenRaisesTimeout()
    {
        var handler = new Scripted() { Hang = true };
        var client = new AwsProtocolClient(new HttpClient(handler), new AwsRetryPolicy(2, TimeSpan.FromMilliseconds(1), AttemptTimeout: TimeSpan.FromMilliseconds(100)));

        await Assert.ThrowsAsync<TimeoutException>(() => client.QueryAsync(Endpoint, "Do", new QueryParameters(), CancellationToken.None));
        Assert.Equal(2, client.Calls);
    }

    private sealed class Scripted(params (HttpStatusCode Status, string Body)[] answers) : HttpMessageHandler
    {
        private int next;

        public bool Hang { get; init; }

        public string Authorization { get; private set; } = "";

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorization = request.Headers.TryGetValues("Authorization", out var values) ? string.Join(",", values) : "";
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var (status, body) = answers[Math.Min(next++, answers.Length - 1)];
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "text/xml") };
        }
    }
}
