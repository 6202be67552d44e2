namespace PortalOps.Domain.Approvals;

/// <summary>
/// Tells open pages that an approval request was made, decided or finished, so they read again without waiting for their
/// periodic refresh. The event carries nothing: pages read the request from the store, within the person's scope.
/// </summary>
public interface IApprovalEvents
{
    IDisposable Subscribe(Action onChanged);

    void Publish();
}
