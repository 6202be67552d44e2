using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Provisioning;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Tests.Persistence;

/// <summary>Approval rules and launch templates as the database keeps them, on both providers.</summary>
public abstract class ProvisioningStoresTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private EfApprovalRuleStore Rules => new(Database.Contexts);

    private EfLaunchTemplateStore Templates => new(Database.Contexts);

    [Fact]
    public async Task PolicyProvider_NothingSaved_UsesTheDefaults()
    {
        var policy = await new ApprovalPolicyProvider(Options.Create(new ApprovalOptions()), Rules).GetAsync();
        Assert.Equal(ApprovalPolicy.DefaultRules.Select(r => r.Name), policy.Rules.Select(r => r.Name));
    }

    [Fact]
    public async Task SaveAsync_RulesWithEnvironments_RoundTripAndDriveThePolicy()
    {
        var rule = new ApprovalRule("Prod stops", [ActionKind.StopInstances.Name], 2, "team", "payments") { Environments = ["prod", "staging"] };
        await Rules.SaveAsync(new StoredApprovalRules([rule], "dave", Clock.GetUtcNow(), 0), -1);

        var loaded = (await Rules.LoadAsync())!;
        var back = Assert.Single(loaded.Rules);
        Assert.Equal(("Prod stops", 2, "team", "payments", "dave", 0), (back.Name, back.MinTargets, back.TagKey, back.TagValue, loaded.UpdatedBy, loaded.Version));
        Assert.Equal(["prod", "staging"], back.Environments);
        var policy = await new ApprovalPolicyProvider(Options.Create(new ApprovalOptions()), Rules).GetAsync();
        Assert.Equal("Prod stops", Assert.Single(policy.Rules).Name);
    }

    [Fact]
    public async Task SaveAsync_EmptyList_MeansNoApprovalsRatherThanDefaults()
    {
        await Rules.SaveAsync(new StoredApprovalRules([], "dave", Clock.GetUtcNow(), 0), -1);
        var policy = await new ApprovalPolicyProvider(Options.Create(new ApprovalOptions()), Rules).GetAsync();
        Assert.Empty(policy.Rules);
    }

    [Fact]
    public async Task SaveAsync_StaleVersion_IsAConflict()
    {
        await Rules.SaveAsync(new StoredApprovalRules([], "dave", Clock.GetUtcNow(), 0), -1);
        await Rules.SaveAsync(new StoredApprovalRules(ApprovalPolicy.DefaultRules, "erin", Clock.GetUtcNow(), 1), 0);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Rules.SaveAsync(new StoredApprovalRules([], "dave", Clock.GetUtcNow(), 1), 0));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Rules.SaveAsync(new StoredApprovalRules([], "dave", Clock.GetUtcNow(), 0), -1));
        Assert.Equal("erin", (await Rules.LoadAsync())!.UpdatedBy);
    }

    [Fact]
    public async Task Templates_SaveListUpdateDelete_RoundTripTheWholeSpec()
    {
        var spec = new LaunchSpec
        {
            AccountId = "123456789012", Region = "eu-west-1", AvailabilityZone = "eu-west-1b", InstanceType = "m5.large", ImageId = "ami-0123456789abcdef0",
            SubnetId = "subnet-1", SecurityGroupIds = ["sg-1", "sg-2"], KeyName = "ops", VolumeSizeGiB = 30, VolumeType = "io2", Encrypted = true,
            RequireImdsV2 = false, Hibernation = true, TerminationProtection = true, Name = "api", Tags = new Dictionary<string, string> { ["team"] = "payments" }, Count = 3,
        };
        var template = new LaunchTemplate(Guid.NewGuid(), "Payments API", spec, "olga", Clock.GetUtcNow());
        await Templates.SaveAsync(template);

        var loaded = Assert.Single(await Templates.ListAsync());
        Assert.Equal(template.Name, loaded.Name);
        Assert.Equal(spec with { SecurityGroupIds = loaded.Spec.SecurityGroupIds, Tags = loaded.Spec.Tags }, loaded.Spec);
        Assert.Equal(["sg-1", "sg-2"], loaded.Spec.SecurityGroupIds);
        Assert.Equal("payments", loaded.Spec.Tags["team"]);

        await Templates.SaveAsync(template with { Name = "Payments API v2", Version = 1 });
        Assert.Equal("Payments API v2", (await Templates.FindAsync(template.Id))!.Name);
        Assert.True(await Templates.DeleteAsync(template.Id));
        Assert.False(await Templates.DeleteAsync(template.Id));
        Assert.Empty(await Templates.ListAsync());
    }

    [Fact]
    public async Task Templates_SameNameInAnotherCase_IsRefused()
    {
        await Templates.SaveAsync(new LaunchTemplate(Guid.NewGuid(), "Web", new LaunchSpec(), "olga", Clock.GetUtcNow()));
        var refused = await Assert.ThrowsAsync<DomainException>(() => Templates.SaveAsync(new LaunchTemplate(Guid.NewGuid(), "WEB", new LaunchSpec(), "olga", Clock.GetUtcNow())));
        Assert.Equal("A template called 'WEB' exists already.", refused.Message);
    }
}

public sealed class SqliteProvisioningStoresTests() : ProvisioningStoresTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresProvisioningStoresTests() : ProvisioningStoresTests(DatabaseProvider.Postgres);
