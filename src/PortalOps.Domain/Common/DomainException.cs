namespace PortalOps.Domain.Common;

/// <summary>A rule of the domain was broken; the message is meant for the person who asked.</summary>
public class DomainException(string message) : Exception(message);

/// <summary>Someone else changed the same record first (optimistic concurrency).</summary>
public sealed class ConcurrencyConflictException(string message) : DomainException(message);
