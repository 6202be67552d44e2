using System.Net;
using Amazon.Runtime;

namespace PortalOps.Jobs.Aws.Protocol;

public enum AwsProtocol
{
    /// <summary>Form-encoded parameters, XML answers (AutoScaling, ELBv2, CloudWatch).</summary>
    Query,

    /// <summary>JSON body with an <c>X-Amz-Target</c> header (Cost Explorer).</summary>
    Json11,
}

/// <summary>What the protocol core needs to know about one service: names, version, protocol, endpoint shape.</summary>
public sealed record AwsServiceDescriptor(
    string Name,
    string SigningName,
    string EndpointPrefix,
    string ApiVersion,
    AwsProtocol Protocol,
    string? JsonTargetPrefix = null,
    bool Global = false,
    string GlobalRegion = "us-east-1")
{
    /// <summary>EC2's own Query dialect; used for the inventory's streaming DescribeInstances read (everything else EC2 goes through AWSSDK.EC2).</summary>
    public static readonly AwsServiceDescriptor Ec2 = new("EC2", "ec2", "ec2", "2016-11-15", AwsProtocol.Query);

    public static readonly AwsServiceDescriptor AutoScaling = new("AutoScaling", "autoscaling", "autoscaling", "2011-01-01", AwsProtocol.Query);

    public static readonly AwsServiceDescriptor ElasticLoadBalancingV2 = new("ELBv2", "elasticloadbalancing", "elasticloadbalancing", "2015-12-01", AwsProtocol.Query);

    public static readonly AwsServiceDescriptor CloudWatch = new("CloudWatch", "monitoring", "monitoring", "2010-08-01", AwsProtocol.Query);

    public static readonly AwsServiceDescriptor CostExplorer = new("CostExplorer", "ce", "ce", "2017-10-25", AwsProtocol.Json11, "AWSInsightsIndexService", Global: true);

    /// <summary>The AWS Price List query API (served from us-east-1).</summary>
    public static readonly AwsServiceDescriptor Pricing = new("Pricing", "pricing", "api.pricing", "2017-10-15", AwsProtocol.Json11, "AWSPriceListService", Global: true);
}

/// <summary>One service in one account and region: where to send, how to sign.</summary>
public sealed record AwsEndpoint(AwsServiceDescriptor Service, string Region, Uri Url, AWSCredentials Credentials, string AccountId)
{
    public string SigningRegion => Service.Global ? Service.GlobalRegion : Region;
}

/// <summary>An error answered by an AWS service, with its code and request id.</summary>
public sealed class AwsServiceException(
    string service,
    string operation,
    string errorCode,
    string errorMessage,
    string? requestId,
    HttpStatusCode statusCode,
    Exception? inner = null)
    : Exception($"{service} {operation} failed: {errorCode}: {errorMessage}" + (requestId is null ? "" : $" (request id {requestId})"), inner)
{
    public string Service { get; } = service;

    public string Operation { get; } = operation;

    public string ErrorCode { get; } = errorCode;

    public string ErrorMessage { get; } = errorMessage;

    public string? RequestId { get; } = requestId;

    public HttpStatusCode StatusCode { get; } = statusCode;

    public bool IsThrottling => AwsRetryPolicy.IsThrottlingCode(ErrorCode) || StatusCode == HttpStatusCode.TooManyRequests;
}
