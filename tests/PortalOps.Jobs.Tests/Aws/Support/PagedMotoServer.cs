namespace PortalOps.Jobs.Tests.Aws.Support;

/// <summary>
/// moto started through moto_paged_as_ec2.py, which makes DescribeInstances and DescribeVolumes page as EC2 documents
/// (MaxResults counts instances, up to 1000; volumes up to 500 with NextToken) where moto 5.2 pages by reservation or not
/// at all. For tests that count pages over fleets launched in batches.
/// </summary>
public sealed class PagedMotoServer : MotoServer
{
    public const string Script = "moto_paged_as_ec2.py";

    /// <summary>The launcher beside the test assembly (copied there by the build).</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Aws", "Support", Script);

    protected override IReadOnlyList<string> Launcher => [ScriptPath];
}
