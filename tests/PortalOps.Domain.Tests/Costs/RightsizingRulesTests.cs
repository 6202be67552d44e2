using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Costs;

public sealed class RightsizingRulesTests
{
    private static readonly RightsizingSettings Settings = new();
    private const double MiB = 1024 * 1024;

    /// <summary>14 days hourly: CPU average from <paramref name="cpu"/> (hour index → %), maximum a little above, network per hour.</summary>
    internal static UtilizationSummary Usage(Func<int, double> cpu, double maxAbove = 5, double networkMiB = 200, double coverage = 1, double? memory = null)
    {
        var u = new InstanceUtilization(new InstanceRef(Make.ProdAccount, "us-east-1", "i-1"), 336);
        for (var h = 0; h < 336; h++)
        {
            if (h >= 336 * coverage)
            {
                continue;
            }

            u.CpuAverage[h] = cpu(h);
            u.CpuMaximum[h] = Math.Min(100, cpu(h) + maxAbove);
            u.NetworkIn[h] = networkMiB * MiB / 2;
            u.NetworkOut[h] = networkMiB * MiB / 2;
        }

        if (memory is { } m)
        {
            u.Memory = Enumerable.Repeat(m, 336).ToArray();
        }

        return UtilizationSummary.Of(u);
    }

    private static Instance Running(string type) => Make.Instance("i-1", region: "us-east-1", type: type, name: "web-01");

    // A working-hours pattern: busy 9–17 on weekdays, quiet otherwise.
    private static Func<int, double> Daily(double quiet, double busy) => h => h % 24 is >= 9 and < 17 && (h / 24) % 7 < 5 ? busy : quiet;

    [Fact]
    public void Evaluate_IdleInstance_RecommendsStopWithTheWholeComputePrice()
    {
        var r = RightsizingRules.Evaluate(Running("m5.large"), Usage(_ => 1.5, maxAbove: 2, networkMiB: 1), Settings);

        Assert.NotNull(r);
        Assert.Equal(RecommendationKind.StopIdle, r.Kind);
        Assert.Equal(70.08m, r.MonthlySaving); // 0.096 × 730
        Assert.Equal(Confidence.High, r.Confidence);
        Assert.Contains(r.Evidence, e => e.Contains("Idle: CPU p95 1.5 %", StringComparison.Ordinal));
        Assert.Equal(Domain.Actions.ActionKind.StopInstances, r.Action);
    }

    [Fact]
    public void Evaluate_LowCpuButBusyNetwork_IsNotIdle()
    {
        var r = RightsizingRules.Evaluate(Running("m5.large"), Usage(_ => 1.5, networkMiB: 500), Settings);

        Assert.NotEqual(RecommendationKind.StopIdle, r?.Kind);
    }

    [Fact]
    public void Evaluate_UnderusedWithinFamily_DownsizesKeepingThePeakWithHeadroom()
    {
        // c5.xlarge (4 vCPU) with a 30 % peak needs 1.5 vCPU at 80 %: c5.large (2 vCPU) holds it at 60 %.
        var r = RightsizingRules.Evaluate(Running("c5.xlarge"), Usage(Daily(5, 22), maxAbove: 8), Settings);

        Assert.NotNull(r);
        Assert.Equal(RecommendationKind.Rightsize, r.Kind);
        Assert.Equal("c5.xlarge", r.CurrentType);
        Assert.Equal("c5.large", r.TargetType);
        Assert.Equal(62.05m, r.MonthlySaving); // (0.17 − 0.085) × 730
        Assert.Equal(Confidence.Medium, r.Confidence); // memory not measured
        Assert.Contains(r.Evidence, e => e.Contains("would be 60 % of c5.large", StringComparison.Ordinal));
        Assert.Equal(Domain.Actions.ActionKind.ResizeInstances, r.Action);
        Assert.Equal("c5.large", r.ToRequest().Parameters[ResizeParameters.InstanceType]);
    }

    [Fact]
    public void Evaluate_PeakTooHighForTheSmallerSize_KeepsTheType()
    {
        // p95 is low, but an hourly peak of 45 % on 4 vCPU needs 2.25 vCPU at 80 %: c5.large (2) is too small.
        var r = RightsizingRules.Evaluate(Running("c5.xlarge"), Usage(h => h == 100 ? 40 : 10, maxAbove: 5), Settings);

        Assert.Null(r);
    }

    [Fact]
    public void Evaluate_WellUsedInstance_GetsNoRecommendation()
    {
        Assert.Null(RightsizingRules.Evaluate(Running("c5.xlarge"), Usage(Daily(45, 60)), Settings));
    }

    [Fact]
    public void Evaluate_SmallestSizeOfItsFamilyOnX86_IsNotMovedToArm()
    {
        // m5.large is the smallest m5; m6g/m7g are cheaper but Arm, which the instance's AMI does not run.
        var r = RightsizingRules.Evaluate(Running("m5.large"), Usage(_ => 8, maxAbove: 4), Settings);

        Assert.Null(r);
    }

    [Fact]
    public void Evaluate_ArmInstance_StaysOnArm()
    {
        var r = RightsizingRules.Evaluate(Running("m6g.xlarge"), Usage(_ => 8, maxAbove: 4), Settings);

        Assert.NotNull(r);
        Assert.Equal(CpuArchitecture.Arm64, InstanceSpecs.ArchitectureOf(r.TargetType!));
        Assert.Equal("m6g.large", r.TargetType); // half the memory at most without a memory metric
    }

    [Fact]
    public void Evaluate_MemoryMeasuredAndLow_AllowsTwoSizesDownWithHighConfidence()
    {
        var r = RightsizingRules.Evaluate(Running("m6g.xlarge"), Usage(_ => 4, maxAbove: 4, memory: 15), Settings);

        Assert.NotNull(r);
        Assert.Equal("m6g.medium", r.TargetType);
        Assert.Equal(Confidence.High, r.Confidence);
    }

    [Fact]
    public void Evaluate_MemoryMeasuredAndHigh_KeepsTheMemory()
    {
        Assert.Null(RightsizingRules.Evaluate(Running("m6g.xlarge"), Usage(_ => 8, maxAbove: 4, memory: 70), Settings));
    }

    [Fact]
    public void Evaluate_TooLittleData_MakesNoRecommendation()
    {
        Assert.Null(RightsizingRules.Evaluate(Running("m5.large"), Usage(_ => 1, networkMiB: 1, coverage: 0.3), Settings));
    }

    [Fact]
    public void Evaluate_PartialData_LowersTheConfidence()
    {
        var r = RightsizingRules.Evaluate(Running("c5.xlarge"), Usage(_ => 10, coverage: 0.7), Settings);

        Assert.Equal(Confidence.Low, r?.Confidence);
    }

    [Fact]
    public void Evaluate_StoppedInstance_GetsNothing()
    {
        var stopped = Make.Instance("i-1", region: "us-east-1", type: "m5.large", state: InstanceState.Stopped);

        Assert.Null(RightsizingRules.Evaluate(stopped, Usage(_ => 1, networkMiB: 1), Settings));
    }

    [Fact]
    public void Evaluate_PreviousGenerationWellUsed_MovesToTheSuccessorOfTheSameSize()
    {
        var r = RightsizingRules.Evaluate(Running("m4.large"), Usage(Daily(50, 70)), Settings);

        Assert.NotNull(r);
        Assert.Equal(RecommendationKind.Modernize, r.Kind);
        Assert.Equal("m5.large", r.TargetType);
        Assert.Equal(2.92m, r.MonthlySaving); // (0.10 − 0.096) × 730
    }

    [Fact]
    public void Evaluate_CurrentGenerationWellUsed_IsNotModernized()
    {
        Assert.Null(RightsizingRules.Evaluate(Running("m5.large"), Usage(Daily(50, 70)), Settings));
    }

    [Fact]
    public void Evaluate_UnknownType_GetsNoResize()
    {
        Assert.Null(RightsizingRules.Evaluate(Running("x2iedn.large"), Usage(_ => 10), Settings));
    }

    [Fact]
    public void Evaluate_NetworkPeakAboveTheSmallerBaseline_KeepsTheType()
    {
        // 250,000 MiB an hour is about 580 Mbit/s: with headroom, c5.large's 512 Mbit/s baseline does not hold it.
        var r = RightsizingRules.Evaluate(Running("c5.xlarge"), Usage(_ => 10, networkMiB: 250_000), Settings);

        Assert.Null(r);
    }

    [Theory]
    [InlineData("m6g.large", CpuArchitecture.Arm64)]
    [InlineData("t4g.micro", CpuArchitecture.Arm64)]
    [InlineData("c7g.large", CpuArchitecture.Arm64)]
    [InlineData("a1.large", CpuArchitecture.Arm64)]
    [InlineData("m5.large", CpuArchitecture.X86_64)]
    [InlineData("t3a.small", CpuArchitecture.X86_64)]
    [InlineData("g4dn.xlarge", CpuArchitecture.X86_64)]
    public void ArchitectureOf_ReadsTheFamilyName(string type, CpuArchitecture expected) =>
        Assert.Equal(expected, InstanceSpecs.ArchitectureOf(type));
}
