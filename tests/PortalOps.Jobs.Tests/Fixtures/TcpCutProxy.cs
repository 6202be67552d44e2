using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PortalOps.Jobs.Tests.Fixtures;

/// <summary>
/// A loopback TCP relay in front of a server (PostgreSQL here). <see cref="Cut"/> drops every relayed connection at once and
/// refuses new ones, which is what a node's database connections see when its process is killed: nothing more arrives from it.
/// </summary>
public sealed class TcpCutProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpCutProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>How many connections have been relayed so far.</summary>
    public int Accepted { get; private set; }

    public void Cut()
    {
        _cut = true;
        _listener.Stop();
        foreach (var client in _open.Keys)
        {
            // A relay may have closed this connection already (its socket is then gone); cutting twice is harmless.
            try
            {
                if (client.Client is { } socket)
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
            }

            client.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_cut && !_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_cut || _stop.IsCancellationRequested)
            {
                return;
            }

            Accepted++;
            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        _open[inbound] = 0;
        _open[outbound] = 0;
        try
        {
            await outbound.ConnectAsync(_target, _stop.Token);
            if (_cut)
            {
                return;
            }

            await Task.WhenAny(
                inbound.GetStream().CopyToAsync(outbound.GetStream(), _stop.Token),
                outbound.GetStream().CopyToAsync(inbound.GetStream(), _stop.Token));
        }
        catch (Exception)
        {
            // A dropped side ends the relay; the other side is closed below.
        }
        finally
        {
            _open.TryRemove(inbound, out _);
            _open.TryRemove(outbound, out _);
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Cut();
        await _stop.CancelAsync();
        await _accepting;
        _stop.Dispose();
    }
}
