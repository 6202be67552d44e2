using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Backups;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Buttons;
using static PortalOps.Jobs.Telegram.Outbox.TelegramHtml;

namespace PortalOps.Jobs.Telegram.Backups;

/// <summary>
/// The bot's backup screens: <c>/backups</c> (RPO met and missed, the last day's runs, unprotected instances and the last drill, within the
/// person's scope) and <c>/restore NAME</c> (the restore wizard's defaults for a whole instance in its DR region, with a confirmation; the
/// press goes through <see cref="BackupActions"/> and so the pipeline, where it waits for approval, with the button's id as idempotency key).
/// </summary>
internal sealed class BackupTelegram(
    IBackupPolicyStore policies,
    IBackupRunStore runs,
    IBackupProtectionStore protection,
    IInventory inventory,
    BackupActions actions,
    BotScreens screens,
    ButtonStore buttons,
    IAuditLog audit,
    IServiceProvider services,
    IOptions<BackupsOptions> options,
    TimeProvider clock)
{
    public const int MaxListed = 5;

    public async Task<string> SummaryAsync(Actor actor, CancellationToken cancellationToken)
    {
        var scope = Authorizer.ReadScopeOf(actor);
        var now = clock.GetUtcNow();
        var visiblePolicies = (await policies.ListAsync(cancellationToken)).Count(p => scope.Covers(p.Footprint));
        var rows = await protection.ListAsync(scope, cancellationToken);
        var byStatus = rows.GroupBy(r => r.StatusAt(now)).ToDictionary(g => g.Key, g => g.Count());
        var recent = await runs.FinishedSinceAsync(scope, now.AddDays(-1), cancellationToken);
        var unprotected = await BackupCoverage.FindAsync(inventory, policies, actor.Scopes, options.Value.ProtectTagKey, cancellationToken);

        var text = new StringBuilder(Bold("Backups")).Append('\n')
            .Append(Escape($"{visiblePolicies} polic{(visiblePolicies == 1 ? "y" : "ies")} · {rows.Count} protected instance(s)")).Append('\n')
            .Append(Escape($"RPO: ✅ {byStatus.GetValueOrDefault(RpoStatus.Met)} met · ❌ {byStatus.GetValueOrDefault(RpoStatus.Missed) + byStatus.GetValueOrDefault(RpoStatus.Never)} missed · ⏳ {byStatus.GetValueOrDefault(RpoStatus.Waiting)} waiting")).Append('\n')
            .Append(Escape($"Last 24 h: {recent.Count(r => r.Status == BackupRunStatus.Succeeded)} run(s) ok, {recent.Count(r => r.Status == BackupRunStatus.PartlyFailed)} partly failed, {recent.Count(r => r.Status == BackupRunStatus.Failed)} failed")).Append('\n')
            .Append(Escape($"Unprotected (tagged {options.Value.ProtectTagKey}, under no policy): {unprotected.Count}")).Append('\n');

        foreach (var missed in rows.Where(r => r.StatusAt(now) is RpoStatus.Missed or RpoStatus.Never).OrderBy(r => r.DueBy).Take(MaxListed))
        {
            text.Append("❌ ").Append(Bold(missed.Name)).Append(' ').Append(Escape($"({missed.Instance.InstanceId}) last good {(missed.LastGood is { } g ? Views.When(g) : "never")}")).Append('\n');
        }

        foreach (var failed in recent.Where(r => r.Status != BackupRunStatus.Succeeded).Take(MaxListed))
        {
            text.Append("⚠️ ").Append(Escape(failed.Describe())).Append('\n');
        }

        if (services.GetService<IBackupDrillStore>() is { } drills && (await drills.QueryAsync(scope, 0, 1, cancellationToken)).Items.FirstOrDefault() is { } drill)
        {
            text.Append(Escape($"Last DR drill {Views.When(drill.CreatedAt)}: {drill.Describe()}")).Append('\n');
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>The DR restore of one instance with the wizard's defaults, asking to confirm.</summary>
    public async Task<Screen> RestoreAsync(BotChat chat, Actor actor, string? argument, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(argument))
        {
            return new Screen("Which one? Send <code>/restore NAME</code> or <code>/restore i-0123456789abcdef0</code>: it restores the instance in its DR region from its latest copies.");
        }

        if (!actor.IsAtLeast(Role.Operator))
        {
            return new Screen($"Only Operators restore; you are {actor.Role}.");
        }

        var found = await FindAsync(argument, cancellationToken);
        var visible = found.Where(i => Authorizer.MaySee(actor, i)).ToList();
        if (visible.Count == 0)
        {
            if (found.Count > 0)
            {
                await audit.AppendAsync(chat.Audit("telegram.restore.view", found[0].Ref.ToString(), AuditOutcome.Denied, $"{found[0].InstanceId} is outside {actor.Name}'s scope.")
                    with { Where = Footprint.Of(found[0].AccountId, found[0].Region, found[0].Tags) }, cancellationToken);
            }

            return new Screen($"No instance is called {Code(argument)}. /instances {Escape(argument)} searches more loosely.");
        }

        if (visible.Count > 1)
        {
            return new Screen($"{visible.Count} instances are called {Code(argument)}; send one of:\n" + string.Join("\n", visible.Select(i => Code($"/restore {i.Ref}"))));
        }

        var instance = visible[0];
        if (services.GetService<DrillEngine>() is not { } engine || services.GetService<IRecoveryCloud>() is not { } recovery)
        {
            return new Screen("Restores in the DR region are not set up on this portal.");
        }

        DrillItem item;
        try
        {
            item = (await engine.PlanAsync([instance.Ref], cancellationToken))[0];
        }
        catch (DomainException e)
        {
            return new Screen(Escape(e.Message));
        }

        var plan = DrPlanner.Latest(await recovery.InstancePointsAsync(item.DrScope, instance.InstanceId, cancellationToken), instance.InstanceId, instance, null, null, null);
        if (plan is null)
        {
            return new Screen($"No complete copy of {Bold(Views.Label(instance))} in {Escape(item.DrRegion)} yet; nothing to restore from.");
        }

        var text = new StringBuilder("🛟 ").Append(Bold($"Restore {Views.Label(instance)} in {item.DrRegion}?")).Append('\n')
            .Append(Escape($"From the copies of {plan.Window}: {(plan.ImageId is { } image ? $"image {image}" : $"{plan.Volumes.Count} snapshot(s), root {plan.RootDevice}")}")).Append('\n')
            .Append(Escape($"Launches one {plan.InstanceType} in {item.DrAccountId}/{item.DrRegion} (default subnet)."));
        if (actions.RequireApprovalForRestores)
        {
            text.Append('\n').Append("It waits for an approver before anything is launched.");
        }

        var keyboard = screens.Keyboard(chat).Row()
            .Button($"Yes, restore in {item.DrRegion}", ButtonKind.ConfirmRestore, new ButtonArguments(Instance: instance.Ref.ToString()))
            .Button("Cancel", ButtonKind.Cancel, new ButtonArguments(Instance: instance.Ref.ToString()));
        return new Screen(text.ToString(), await keyboard.BuildAsync(cancellationToken));
    }

    /// <summary>The confirmation pressed: one request through the pipeline, keyed by the button (a double press acts once).</summary>
    public async Task<Screen> ConfirmRestoreAsync(BotChat chat, StoredButton button, CancellationToken cancellationToken)
    {
        if (!InstanceRef.TryParse(button.Arguments.Instance, out var target))
        {
            return new Screen("This button is not valid.");
        }

        // A confirmation acts once: a second press (or a second person in a group) asks nothing new.
        if (!await buttons.UseAsync(button.Id, cancellationToken))
        {
            await audit.AppendAsync(chat.Audit("telegram.button", $"chat:{chat.ChatId}", AuditOutcome.Denied, "A used button was pressed again."), cancellationToken);
            return new Screen($"⛔ {Bold($"Restore of {target!.InstanceId} in the DR region")}\nThis button was already used; the first press was taken.");
        }

        var result = await actions.RestoreInDrRegionAsync(chat.Actor, target!, null, null, null, $"telegram:{button.Id}", cancellationToken);
        var icon = result.Status switch
        {
            ActionStatus.Executed => "✅",
            ActionStatus.PendingApproval => "⏳",
            ActionStatus.Failed or ActionStatus.PartlySucceeded => "⚠️",
            _ => "⛔",
        };
        return new Screen($"{icon} {Bold($"Restore of {target!.InstanceId} in the DR region")}\n{Escape(result.Message)}");
    }

    private async Task<IReadOnlyList<Instance>> FindAsync(string argument, CancellationToken cancellationToken)
    {
        if (InstanceRef.TryParse(argument, out var reference) && await inventory.FindAsync(reference!, cancellationToken) is { } exact)
        {
            return [exact];
        }

        var page = await inventory.QueryAsync(new InstanceQuery { Text = argument, PageSize = InstanceQuery.MaxPageSize }, cancellationToken);
        var byId = page.Items.Where(i => string.Equals(i.InstanceId, argument, StringComparison.OrdinalIgnoreCase)).ToList();
        return byId.Count > 0 ? byId : page.Items.Where(i => string.Equals(i.Name, argument, StringComparison.OrdinalIgnoreCase)).ToList();
    }
}
