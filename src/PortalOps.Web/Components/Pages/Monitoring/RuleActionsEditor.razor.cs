using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>Chooses, for each corrective action, off / offered / automatic, and its parameters.</summary>
public sealed partial class RuleActionsEditor
{
    private const string Off = "Off";

    [Parameter]
    public List<CorrectiveAction> Actions { get; set; } = [];

    [Parameter]
    public EventCallback<List<CorrectiveAction>> ActionsChanged { get; set; }

    [Parameter]
    public string? ErrorText { get; set; }

    private Task SetMode(ActionKind kind, string mode)
    {
        var list = Actions.Where(a => a.Kind != kind.Name).ToList();
        if (Enum.TryParse<ActionMode>(mode, out var parsed))
        {
            var existing = Actions.FirstOrDefault(a => a.Kind == kind.Name)?.Parameters ?? Defaults(kind);
            list.Add(new CorrectiveAction(kind.Name, parsed, existing));
        }

        return ActionsChanged.InvokeAsync(list);
    }

    private Task SetParameter(ActionKind kind, string name, string? value)
    {
        var list = Actions.Select(a =>
        {
            if (a.Kind != kind.Name)
            {
                return a;
            }

            var parameters = new Dictionary<string, string>(a.Parameters);
            if (string.IsNullOrWhiteSpace(value))
            {
                parameters.Remove(name);
            }
            else
            {
                parameters[name] = value.Trim();
            }

            return a with { Parameters = parameters };
        }).ToList();
        return ActionsChanged.InvokeAsync(list);
    }

    private static Dictionary<string, string> Defaults(ActionKind kind) =>
        kind == ActionKind.ScaleOutGroup ? new() { [CorrectiveActions.CountParameter] = "1" }
        : kind == ActionKind.RunDocument ? new() { [CorrectiveActions.DocumentParameter] = "AWS-RunShellScript" }
        : [];
}
