namespace PortalOps.Jobs.Persistence;

/// <summary>The two databases PortalOps runs on.</summary>
public enum DatabaseProvider
{
    /// <summary>The embedded default: a file in the data folder.</summary>
    Sqlite,

    /// <summary>Production and scale-out, chosen by <c>ConnectionStrings:PortalOps</c>.</summary>
    Postgres,
}
