using Amazon.EC2;
using Amazon.EC2.Model;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Compliance;
using PortalOps.Jobs.Compliance;
using PortalOps.Jobs.Tests.Aws.Support;
using ResourceType = PortalOps.Domain.Compliance.ResourceType;

namespace PortalOps.Jobs.Tests.Aws.Compliance;

[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class AwsComplianceSourceMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope East = new(MotoServer.AccountId, "us-east-1");
    private static readonly CloudScope West = new(MotoServer.AccountId, "eu-west-1");

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task BuiltInPack_OnMoto_EachPolicyFlagsItsViolatingResourceAndNotItsCompliantOne()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        using var west = MotoAws.Ec2(moto.Url, "eu-west-1");
        var f = await Fixture.BuildAsync(ec2, west);
        var source = new AwsComplianceSource(TestAws.Clients(TestAws.Options(moto.Url, "us-east-1", "eu-west-1")), TestAws.Core());

        var resources = (await source.ReadAsync(East)).Concat(await source.ReadAsync(West)).ToList();
        var inventory = new ComplianceInventory(resources, [East, West]);
        var soon = Evaluate(inventory, DateTimeOffset.UtcNow.AddDays(40));
        var later = Evaluate(inventory, DateTimeOffset.UtcNow.AddDays(200));
        var much = Evaluate(inventory, DateTimeOffset.UtcNow.AddDays(400));

        Check(soon, "sg-ssh-open-to-world", f.SshWorld, f.SshPrivate);
        Check(soon, "sg-rdp-open-to-world", f.RdpWorldV6, f.SshPrivate);
        Check(soon, "sg-any-port-open-to-world", f.HttpsWorld, f.SshPrivate);
        Check(soon, "instance-imdsv1-allowed", f.ImdsV1, f.ImdsV2);
        Check(soon, "volume-unencrypted", f.Plain, f.Encrypted);
        Check(soon, "region-ebs-default-encryption-off", "us-east-1", "eu-west-1");
        Check(soon, "snapshot-public", f.PublicSnapshot, f.PrivateSnapshot);
        Check(soon, "image-public", f.PublicImage, f.PrivateImage);
        Check(soon, "instance-required-tags-missing", f.ImdsV1, f.ImdsV2);
        Check(soon, "instance-stopped-long", f.Stopped, f.ImdsV2);
        Check(soon, "volume-unattached", f.Plain, f.RootOfImdsV2);
        Check(soon, "eip-unassociated", f.IdleAddress, f.UsedAddress);
        Check(soon, "prod-detailed-monitoring-off", f.ProdBare, f.ProdCared);
        Check(soon, "prod-termination-protection-off", f.ProdBare, f.ProdCared);
        // Images in moto are as new as the emulator: the clock decides whether the instance and its image are old.
        Assert.Contains(much, v => v.Policy.Id == "instance-old-on-old-image" && v.Resource.Id == f.ImdsV2);
        Assert.DoesNotContain(later, v => v.Policy.Id == "instance-old-on-old-image" && v.Resource.Id == f.ImdsV2);
        Assert.Equal(BuiltInPolicies.All.Count, BuiltInPolicies.All.Select(p => p.Id).Intersect(much.Select(v => v.Policy.Id).Concat(soon.Select(v => v.Policy.Id))).Count());
    }

    [Fact]
    public async Task Read_Fleet_CallsEachDescribeOncePerPageAndAttributesOnlyWhereEc2HasNoBulkAnswer()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        await MotoAws.LaunchAsync(ec2, 30, "web");
        await MotoAws.LaunchAsync(ec2, 2, "db", new Dictionary<string, string> { ["env"] = "prod" });
        var volume = (await ec2.CreateVolumeAsync(new CreateVolumeRequest { AvailabilityZone = "us-east-1a", Size = 1 })).Volume.VolumeId;
        await ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = volume });
        await ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = volume });
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        var source = new AwsComplianceSource(TestAws.Clients(TestAws.Options(proxy.Url)), TestAws.Core());

        var resources = await source.ReadAsync(East);

        Assert.Equal(32, resources.Count(r => r.Type == ResourceType.Instance));
        Assert.Equal(1, proxy.CallsTo("DescribeInstances"));
        Assert.Equal(1, proxy.CallsTo("DescribeVolumes"));
        Assert.Equal(1, proxy.CallsTo("DescribeSnapshots"));
        Assert.Equal(1, proxy.CallsTo("DescribeSecurityGroups"));
        Assert.Equal(1, proxy.CallsTo("DescribeAddresses"));
        Assert.Equal(1, proxy.CallsTo("GetEbsEncryptionByDefault"));
        Assert.Equal(2, proxy.CallsTo("DescribeImages")); // own images, and the images the instances run
        Assert.Equal(2, proxy.CallsTo("DescribeSnapshotAttribute")); // one per own snapshot
        Assert.Equal(2, proxy.CallsTo("DescribeInstanceAttribute")); // one per production instance
        Assert.Equal(12, proxy.Calls.Values.Sum());
    }

    [Fact]
    public void StoppedAt_TransitionReason_ReadsEc2AndEmulatorForms()
    {
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), AwsComplianceSource.StoppedAt("User initiated (2026-01-02 03:04:05 GMT)"));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), AwsComplianceSource.StoppedAt("User initiated (2026-01-02 03:04:05 UTC)"));
        Assert.Null(AwsComplianceSource.StoppedAt(""));
    }

    private static List<Violation> Evaluate(ComplianceInventory inventory, DateTimeOffset now) =>
        PolicyEvaluator.Evaluate(BuiltInPolicies.All, inventory, new EvaluationContext(now, ["Owner"])).Violations.ToList();

    private static void Check(List<Violation> violations, string policy, string violating, string compliant)
    {
        var ids = violations.Where(v => v.Policy.Id == policy).Select(v => v.Resource.Id).ToList();
        Assert.True(ids.Contains(violating), $"{policy} should flag {violating}; flagged: {string.Join(", ", ids)}");
        Assert.False(ids.Contains(compliant), $"{policy} should not flag {compliant}");
    }

    /// <summary>A violating and a compliant resource for every built-in policy, made by another EC2 client.</summary>
    private sealed record Fixture(
        string SshWorld, string SshPrivate, string RdpWorldV6, string HttpsWorld, string ImdsV1, string ImdsV2, string RootOfImdsV2,
        string Plain, string Encrypted, string PublicSnapshot, string PrivateSnapshot, string PublicImage, string PrivateImage,
        string Stopped, string IdleAddress, string UsedAddress, string ProdBare, string ProdCared)
    {
        public static async Task<Fixture> BuildAsync(IAmazonEC2 ec2, IAmazonEC2 west)
        {
            await west.EnableEbsEncryptionByDefaultAsync(new EnableEbsEncryptionByDefaultRequest());
            var vpc = (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs.First().VpcId;
            async Task<string> Group(string name, string protocol, int port, string? v4, string? v6)
            {
                var id = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = name, Description = name, VpcId = vpc })).GroupId;
                var permission = new IpPermission { IpProtocol = protocol, FromPort = port, ToPort = port };
                if (v4 is not null)
                {
                    permission.Ipv4Ranges = [new IpRange { CidrIp = v4 }];
                }

                if (v6 is not null)
                {
                    permission.Ipv6Ranges = [new Ipv6Range { CidrIpv6 = v6 }];
                }

                await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = id, IpPermissions = [permission] });
                return id;
            }

            var image = await MotoAws.AnyImageIdAsync(ec2);
            async Task<string> Launch(string tokens, bool monitoring, params (string Key, string Value)[] tags)
            {
                var run = await ec2.RunInstancesAsync(new RunInstancesRequest
                {
                    ImageId = image,
                    InstanceType = InstanceType.T3Micro,
                    MinCount = 1,
                    MaxCount = 1,
                    Monitoring = monitoring,
                    MetadataOptions = new InstanceMetadataOptionsRequest { HttpTokens = tokens },
                    TagSpecifications = tags.Length == 0 ? null : [new TagSpecification { ResourceType = Amazon.EC2.ResourceType.Instance, Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() }],
                });
                return run.Reservation.Instances[0].InstanceId;
            }

            var sshWorld = await Group("ssh-world", "tcp", 22, "0.0.0.0/0", null);
            var sshPrivate = await Group("ssh-private", "tcp", 22, "10.0.0.0/8", null);
            var rdpWorld = await Group("rdp-world", "tcp", 3389, null, "::/0");
            var httpsWorld = await Group("https-world", "tcp", 443, "0.0.0.0/0", null);

            var imdsV1 = await Launch("optional", false);
            var imdsV2 = await Launch("required", false, ("Owner", "ana"));
            var stopped = await Launch("required", false, ("Owner", "ana"));
            await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [stopped] });
            var prodBare = await Launch("required", false, ("env", "prod"), ("Owner", "ana"));
            var prodCared = await Launch("required", true, ("env", "prod"), ("Owner", "ana"));
            await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = prodCared, DisableApiTermination = true });
            var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [imdsV2] });
            var root = described.Reservations[0].Instances[0].BlockDeviceMappings[0].Ebs.VolumeId;

            var plain = (await ec2.CreateVolumeAsync(new CreateVolumeRequest { AvailabilityZone = "us-east-1a", Size = 1 })).Volume.VolumeId;
            var encrypted = (await ec2.CreateVolumeAsync(new CreateVolumeRequest { AvailabilityZone = "us-east-1a", Size = 1, Encrypted = true })).Volume.VolumeId;
            await ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = encrypted, InstanceId = imdsV2, Device = "/dev/sdf" });
            var publicSnapshot = (await ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = plain })).Snapshot.SnapshotId;
            var privateSnapshot = (await ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = plain })).Snapshot.SnapshotId;
            await ec2.ModifySnapshotAttributeAsync(new ModifySnapshotAttributeRequest
            {
                SnapshotId = publicSnapshot,
                Attribute = SnapshotAttributeName.CreateVolumePermission,
                OperationType = OperationType.Add,
                GroupNames = ["all"],
            });
            var publicImage = (await ec2.CreateImageAsync(new CreateImageRequest { InstanceId = imdsV2, Name = "public-image" })).ImageId;
            var privateImage = (await ec2.CreateImageAsync(new CreateImageRequest { InstanceId = imdsV2, Name = "private-image" })).ImageId;
            await ec2.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = publicImage, LaunchPermission = new LaunchPermissionModifications { Add = [new LaunchPermission { Group = PermissionGroup.All }] } });

            var idle = (await ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = DomainType.Vpc })).AllocationId;
            var used = (await ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = DomainType.Vpc })).AllocationId;
            await ec2.AssociateAddressAsync(new AssociateAddressRequest { AllocationId = used, InstanceId = imdsV2 });

            return new Fixture(sshWorld, sshPrivate, rdpWorld, httpsWorld, imdsV1, imdsV2, root, plain, encrypted, publicSnapshot, privateSnapshot,
                publicImage, privateImage, stopped, idle, used, prodBare, prodCared);
        }
    }
}
