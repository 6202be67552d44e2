using Microsoft.Data.Sqlite;
using Npgsql;

namespace PortalOps.Jobs.Persistence;

/// <summary>Recognises the provider errors the stores handle, without leaking provider types into them.</summary>
internal static class DatabaseErrors
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    public static bool IsUniqueViolation(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg when pg.SqlState == PostgresErrorCodes.UniqueViolation:
                    return true;
                case SqliteException sqlite when sqlite.SqliteErrorCode == SqliteConstraint
                    && sqlite.SqliteExtendedErrorCode is SqliteConstraintPrimaryKey or SqliteConstraintUnique:
                    return true;
            }
        }

        return false;
    }
}
