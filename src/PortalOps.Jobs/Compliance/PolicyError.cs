namespace PortalOps.Jobs.Compliance;

/// <summary>A problem in a policy document, at a line and column (1-based) of the YAML text.</summary>
public sealed record PolicyError(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}: {Message}";
}
