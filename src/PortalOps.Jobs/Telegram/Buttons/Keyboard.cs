using Telegram.Bot.Types.ReplyMarkups;

namespace PortalOps.Jobs.Telegram.Buttons;

/// <summary>Builds an inline keyboard whose buttons are stored first; each button's callback_data is only its id.</summary>
public sealed class Keyboard(ButtonStore store, long chatId, long? forTelegramUserId, DateTimeOffset expiresAt, Guid? approvalId = null)
{
    private readonly List<List<InlineKeyboardButton>> _rows = [];
    private readonly List<StoredButton> _stored = [];

    public Keyboard Row()
    {
        _rows.Add([]);
        return this;
    }

    public Keyboard Button(string text, ButtonKind kind, ButtonArguments? arguments = null)
    {
        if (_rows.Count == 0)
        {
            Row();
        }

        var button = store.New(kind, arguments ?? new ButtonArguments(), chatId, forTelegramUserId, expiresAt, approvalId);
        _stored.Add(button);
        _rows[^1].Add(InlineKeyboardButton.WithCallbackData(text, button.Id));
        return this;
    }

    /// <summary>Stores the buttons and returns the markup; null when there are none.</summary>
    public async Task<InlineKeyboardMarkup?> BuildAsync(CancellationToken cancellationToken = default)
    {
        var rows = _rows.Where(r => r.Count > 0).ToList();
        if (rows.Count == 0)
        {
            return null;
        }

        await store.AddAsync(_stored, cancellationToken);
        return new InlineKeyboardMarkup(rows);
    }
}
