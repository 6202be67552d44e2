using System.Net;
using System.Net.Sockets;

namespace PortalOps.Jobs.Tests.Fixtures;

/// <summary>
/// A loopback TCP port that either never answers (connections are accepted and held, nothing is ever sent back) or relays
/// every connection to another loopback port. Going silent closes the relayed connections, so a client's pooled connections
/// cannot keep getting through.
/// </summary>
public sealed class SilentEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private int _forwardTo;

    public SilentEndpoint()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Relays to this loopback port from now on.</summary>
    public void ForwardTo(int port) => Volatile.Write(ref _forwardTo, port);

    /// <summary>Answers nothing from now on, and drops the connections it was relaying.</summary>
    public void GoSilent()
    {
        Volatile.Write(ref _forwardTo, 0);
        lock (_gate)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        GoSilent();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                _open.Add(client);
            }

            var port = Volatile.Read(ref _forwardTo);
            if (port != 0)
            {
                _ = RelayAsync(client, port);
            }
        }
    }

    private async Task RelayAsync(TcpClient client, int port)
    {
        var upstream = new TcpClient();
        lock (_gate)
        {
            _open.Add(upstream);
        }

        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, port, _stop.Token);
            var down = client.GetStream();
            var up = upstream.GetStream();
            await Task.WhenAny(down.CopyToAsync(up, _stop.Token), up.CopyToAsync(down, _stop.Token));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }
    }
}
