using System.Globalization;
using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Jobs.Compliance;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Compliance;

/// <summary>The exception form: checks every field first (expiry required and in the future), then asks through <see cref="ExceptionRequests"/> (the pipeline).</summary>
public sealed partial class GrantExceptionForm
{
    private IReadOnlyDictionary<string, string> _problems = new Dictionary<string, string>();
    private ActionResult? _result;
    private bool _mayGrant;
    private bool _busy;
    private string? _policyId;
    private string? _tagKey;
    private string? _tagValue;
    private string? _reason;
    private string? _owner;
    private string? _expires;

    /// <summary>The one finding to except; null: the form asks for a policy and a tag.</summary>
    [Parameter]
    public Guid? FindingId { get; set; }

    /// <summary>The finding's policy, or the policy chosen first.</summary>
    [Parameter]
    public string? PolicyId { get; set; }

    /// <summary>The policies to choose from when <see cref="FindingId"/> is null.</summary>
    [Parameter]
    public IReadOnlyList<string> PolicyIds { get; set; } = [];

    [Parameter]
    public EventCallback<ActionResult> Asked { get; set; }

    [Inject]
    public required ExceptionRequests Requests { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnInitializedAsync()
    {
        var actor = await Current.ActorAsync();
        _mayGrant = actor.IsAtLeast(ActionKind.GrantException.MinimumRole);
        _owner ??= actor.Name;
        _policyId ??= PolicyId;
    }

    private bool Has(string field) => _problems.ContainsKey(field);

    private string? ErrorOf(string field) => _problems.GetValueOrDefault(field);

    /// <summary>"2026-12-31" → the end of that day, UTC; anything else (or nothing) → null, which the draft refuses as missing.</summary>
    public static DateTimeOffset? EndOfDay(string? date) =>
        DateOnly.TryParseExact(date?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1)
            : null;

    private async Task GrantAsync()
    {
        (_busy, _result) = (true, null);
        try
        {
            var draft = new ExceptionDraft(FindingId is null ? _policyId : PolicyId, FindingId, FindingId is null ? _tagKey : null, FindingId is null ? _tagValue : null, _reason, _owner, EndOfDay(_expires));
            var asked = await Requests.RequestAsync(await Current.ActorAsync(), draft);
            _problems = asked.Problems;
            if (asked.Result is { } result)
            {
                _result = result;
                await Asked.InvokeAsync(result);
            }
        }
        catch (DomainException e)
        {
            _result = new ActionResult(ActionStatus.Refused, e.Message);
        }
        finally
        {
            _busy = false;
        }
    }
}
