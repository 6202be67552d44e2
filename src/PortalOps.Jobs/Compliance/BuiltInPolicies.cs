using PortalOps.Domain.Compliance;

namespace PortalOps.Jobs.Compliance;

/// <summary>
/// The policies PortalOps ships, on by default (each can be disabled), written in the same YAML as anyone's own so they are
/// read by the same parser and can be exported and edited. Where a CIS AWS Foundations Benchmark (v3.0) control applies it is named.
/// </summary>
public static class BuiltInPolicies
{
    public static IReadOnlyList<string> Documents { get; } =
    [
        """
        id: sg-ssh-open-to-world
        title: SSH open to the internet
        resource: security-group
        severity: high
        cis: "5.2, 5.3"
        description: A security group lets anyone on the internet (0.0.0.0/0 or ::/0) reach port 22.
        filters:
          - world-open: [22]
        remediation: revoke-world-open
        """,
        """
        id: sg-rdp-open-to-world
        title: RDP open to the internet
        resource: security-group
        severity: high
        cis: "5.2, 5.3"
        description: A security group lets anyone on the internet (0.0.0.0/0 or ::/0) reach port 3389.
        filters:
          - world-open: [3389]
        remediation: revoke-world-open
        """,
        """
        id: sg-any-port-open-to-world
        title: Ports open to the internet
        resource: security-group
        severity: medium
        description: A security group lets anyone on the internet reach some port. Fine for a public web tier; worth a look elsewhere.
        filters:
          - world-open: any
        remediation: revoke-world-open
        """,
        """
        id: instance-imdsv1-allowed
        title: IMDSv1 allowed
        resource: instance
        severity: high
        cis: "5.6"
        description: The instance metadata service still answers IMDSv1 requests, which server-side request forgery can abuse to read credentials.
        filters:
          - field: imds-v2-required
            equals: false
          - field: state
            not-equals: terminated
        remediation: require-imdsv2
        """,
        """
        id: volume-unencrypted
        title: Unencrypted EBS volume
        resource: volume
        severity: medium
        cis: "2.2.1"
        description: The EBS volume is not encrypted at rest.
        filters:
          - field: encrypted
            equals: false
        """,
        """
        id: region-ebs-default-encryption-off
        title: EBS encryption by default is off
        resource: region-setting
        severity: medium
        cis: "2.2.1"
        description: New EBS volumes in this region are not encrypted unless someone remembers to ask.
        filters:
          - field: ebs-encryption-by-default
            equals: false
        remediation: enable-ebs-default-encryption
        """,
        """
        id: snapshot-public
        title: Public EBS snapshot
        resource: snapshot
        severity: critical
        description: Anyone may create a volume from this snapshot and read its data.
        filters:
          - field: public
            equals: true
        remediation: make-private
        """,
        """
        id: image-public
        title: Public AMI
        resource: image
        severity: high
        description: Anyone may launch this image and read what was baked into it.
        filters:
          - field: public
            equals: true
        remediation: make-private
        """,
        """
        id: instance-required-tags-missing
        title: Required tags missing
        resource: instance
        severity: low
        description: The instance lacks tags the organisation requires (Provisioning:RequiredTags).
        filters:
          - missing-tags: required
          - field: state
            not-equals: terminated
        remediation: add-missing-tags
        """,
        """
        id: instance-old-on-old-image
        title: Old instance on an old image
        resource: instance
        severity: low
        description: Running for more than 180 days on an image older than 365 days; it misses a year of fixes baked into newer images.
        filters:
          - age:
              field: launch-time
              older-than-days: 180
          - age:
              field: image-creation-time
              older-than-days: 365
          - field: state
            equals: running
        """,
        """
        id: instance-stopped-long
        title: Stopped for more than 30 days
        resource: instance
        severity: low
        description: A long-stopped instance still pays for its volumes and drifts out of patching.
        filters:
          - field: state
            equals: stopped
          - age:
              field: stopped-since
              older-than-days: 30
        """,
        """
        id: volume-unattached
        title: Unattached EBS volume
        resource: volume
        severity: low
        description: The volume is attached to nothing and billed every month.
        filters:
          - field: attached
            equals: false
          - field: state
            equals: available
        remediation: snapshot-and-delete
        max-resources: 20
        """,
        """
        id: eip-unassociated
        title: Idle Elastic IP
        resource: elastic-ip
        severity: low
        description: The address is associated with nothing and billed every hour.
        filters:
          - field: associated
            equals: false
        remediation: release
        max-resources: 20
        """,
        """
        id: prod-detailed-monitoring-off
        title: Production without detailed monitoring
        resource: instance
        severity: medium
        description: A production instance (tag env=prod) reports metrics every 5 minutes instead of every minute.
        filters:
          - tag:
              key: env
              value: prod
          - field: detailed-monitoring
            equals: false
          - field: state
            not-equals: terminated
        """,
        """
        id: prod-termination-protection-off
        title: Production without termination protection
        resource: instance
        severity: medium
        description: A production instance (tag env=prod) can be terminated by one API call or one click.
        filters:
          - tag:
              key: env
              value: prod
          - field: termination-protection
            equals: false
          - field: state
            not-equals: terminated
        """,
    ];

    /// <summary>The pack, read with the policy parser; a document that does not read is a bug and throws.</summary>
    public static IReadOnlyList<Policy> All { get; } = Documents.Select(d =>
    {
        var r = PolicyYaml.Read(d);
        return r.Policy ?? throw new InvalidOperationException($"Built-in policy does not read: {string.Join("; ", r.Errors)}");
    }).ToList();
}
