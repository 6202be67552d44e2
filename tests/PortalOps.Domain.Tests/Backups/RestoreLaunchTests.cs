using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Backups;

/// <summary>An instance restored from a backup image with a launch's choices: what the request carries, what is fixed, and who may ask.</summary>
public sealed class RestoreLaunchTests
{
    private const string Image = "ami-0123456789abcdef0";
    private static readonly InstanceRef Target = new(Make.ProdAccount, "eu-west-1", Image);

    private static LaunchSpec Spec(string team = "web") => new()
    {
        AccountId = Make.ProdAccount, Region = "eu-west-1", AvailabilityZone = "eu-west-1b", InstanceType = "t3.small", ImageId = Image, SubnetId = "subnet-0b",
        SecurityGroupIds = ["sg-1", "sg-2"], KeyName = "ops", VolumeSizeGiB = 20, Name = "web-restored", Tags = Make.Tags($"team={team}", "env=prod"), Count = 1,
    };

    [Fact]
    public void ToSpec_FromTheParameters_KeepsTheChoices_AndFixesImageCountAndRestoredFromTag()
    {
        var parameters = new Dictionary<string, string>(RestoreLaunch.Parameters(Spec())) { [LaunchParameters.Count] = "7", [LaunchParameters.Image] = "ami-0ther" };

        var spec = RestoreLaunch.ToSpec(Target, parameters);

        Assert.Equal((Image, 1, "t3.small", "eu-west-1b", "subnet-0b", "ops", 20), (spec.ImageId, spec.Count, spec.InstanceType, spec.AvailabilityZone, spec.SubnetId, spec.KeyName, spec.VolumeSizeGiB));
        Assert.Equal(["sg-1", "sg-2"], spec.SecurityGroupIds);
        Assert.Equal(("web-restored", "web", "prod", Image), (spec.AllTags()["Name"], spec.Tags["team"], spec.Tags["env"], spec.Tags[RestoreLaunch.RestoredFromTag]));
    }

    [Fact]
    public void Problem_MissingSnapshotForeignPendingOrFailed_SaysWhy_AndAFinishedBackupImageHasNone()
    {
        var scope = new CloudScope(Make.ProdAccount, "eu-west-1");
        var ours = new RecoveryPoint(scope, Image, RecoveryPointKind.Image, RecoveryPointState.Completed, Make.Now, Make.Tags($"{BackupTags.Policy}=abc", $"{BackupTags.Instance}=i-0web1"));

        Assert.Contains("was not found in", RestoreLaunch.Problem(null, Target), StringComparison.Ordinal);
        Assert.Contains("is a snapshot", RestoreLaunch.Problem(ours with { Kind = RecoveryPointKind.Snapshot }, Target), StringComparison.Ordinal);
        Assert.Contains("was not made by a PortalOps backup policy", RestoreLaunch.Problem(ours with { Tags = Make.Tags("Name=golden") }, Target), StringComparison.Ordinal);
        Assert.Contains("still being made", RestoreLaunch.Problem(ours with { State = RecoveryPointState.Pending }, Target), StringComparison.Ordinal);
        Assert.Contains("failed", RestoreLaunch.Problem(ours with { State = RecoveryPointState.Error }, Target), StringComparison.Ordinal);
        Assert.Null(RestoreLaunch.Problem(ours, Target));
    }

    [Fact]
    public void Authorize_DestinationTagsOutsideTheScope_IsRefusedAsALaunchWouldBe_InsideIsAllowed()
    {
        var tess = Make.User("tess", Role.Operator, $"{Make.ProdAccount}/eu-west-1/team=web").AsActor(Channel.Web);
        var image = new ResolvedTarget(Target, "web-1", Make.Tags("team=web"));

        var outside = Authorizer.Authorize(tess, ActionKind.RestoreInstance, [image], RestoreLaunch.Parameters(Spec(team: "payments")));
        var inside = Authorizer.Authorize(tess, ActionKind.RestoreInstance, [image], RestoreLaunch.Parameters(Spec()));
        var viewer = Authorizer.Authorize(Make.User("vera", Role.Viewer, "*/*").AsActor(Channel.Web), ActionKind.RestoreInstance, [image], RestoreLaunch.Parameters(Spec()));

        Assert.False(outside.Allowed);
        Assert.Contains($"tess may not launch in {Make.ProdAccount}/eu-west-1 with tags", outside.Reason, StringComparison.Ordinal);
        Assert.Contains("team=payments", outside.Reason, StringComparison.Ordinal);
        Assert.True(inside.Allowed, inside.Reason);
        Assert.False(viewer.Allowed);
    }

    [Fact]
    public void ApprovalSummary_OfARestore_ShowsTheRequestsOwnDetails()
    {
        var requester = Make.User("olga", Role.Operator, "*/*").AsActor(Channel.Web);
        var request = new ApprovalRequest(Guid.NewGuid(), ActionKind.RestoreInstance, [new ResolvedTarget(Target, "web-1", Make.Tags("team=web"))], RestoreLaunch.Parameters(Spec()),
            requester, "Restores need approval", null, Make.Now, TimeSpan.FromHours(1));

        Assert.Equal($"Restore an instance from {Image} named web-restored: t3.small in {Make.ProdAccount}/eu-west-1b, subnet subnet-0b, groups sg-1, sg-2, key ops, root 20 GiB gp3 encrypted; "
            + $"tags team=web, env=prod, {RestoreLaunch.RestoredFromTag}={Image}", request.Summary);
    }
}
