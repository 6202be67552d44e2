namespace PortalOps.Domain.Tests.Fakes;

/// <summary>
/// An async barrier: every caller waits until <paramref name="participants"/> have arrived, then all go at once.
/// Callers after that pass straight through. Never waits longer than a few seconds, so a broken test fails instead of hanging.
/// </summary>
internal sealed class AsyncGate(int participants)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public Task ArriveAndWaitAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _arrived) >= participants)
        {
            _open.TrySetResult();
        }

        return _open.Task.WaitAsync(Timeout, cancellationToken);
    }
}
