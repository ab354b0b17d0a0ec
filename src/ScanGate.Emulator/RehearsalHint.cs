using System.Globalization;

namespace ScanGate.Emulator;

/// <summary>
/// What <c>scangate emulator --speed N</c> prints so a rehearsal feels like the real thing, only faster: the
/// <c>scangate scan</c> flags to use against it, with a poll interval that matches the speed.
/// </summary>
public static class RehearsalHint
{
    /// <summary>The default poll interval of <c>scangate scan</c>, in virtual time.</summary>
    public static readonly TimeSpan VirtualPollInterval = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Two virtual minutes in real time at <paramref name="speed"/>, rounded to whole seconds, never below
    /// <paramref name="minimum"/> (the shortest poll interval <c>scan</c> accepts).
    /// </summary>
    public static TimeSpan PollInterval(double speed, TimeSpan minimum)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(speed);
        var seconds = Math.Round(VirtualPollInterval.TotalSeconds / speed, MidpointRounding.AwayFromZero);
        var interval = TimeSpan.FromSeconds(seconds);
        return interval < minimum ? minimum : interval;
    }

    /// <summary>A duration as <c>scan --poll-interval</c> takes it: <c>12s</c>, <c>2m</c>, <c>1m30s</c>.</summary>
    public static string Duration(TimeSpan value)
    {
        var total = (long)Math.Round(value.TotalSeconds);
        var (minutes, seconds) = (total / 60, total % 60);
        return minutes == 0 ? $"{seconds}s" : seconds == 0 ? $"{minutes}m" : $"{minutes}m{seconds}s";
    }

    /// <summary>
    /// The lines to print, or none at speed 1 or slower. <paramref name="password"/> is shown only for the built-in
    /// demo scenario's documented password; for a scenario file it is "as in the scenario".
    /// </summary>
    public static IReadOnlyList<string> Lines(Uri baseUrl, string username, string? host, double speed, TimeSpan minimumPollInterval, string? password)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!(speed > 1))
        {
            return [];
        }

        var poll = PollInterval(speed, minimumPollInterval);
        var speedText = speed.ToString("0.##", CultureInfo.InvariantCulture);
        var apiUrl = baseUrl.GetLeftPart(UriPartial.Authority);
        var hostFlag = host is null ? "" : $" --host {host}";
        var lines = new List<string>
        {
            $"Faster than real time (x{speedText}): a 2-minute poll interval is {Duration(poll)} here. Rehearse a gate run with:",
            $"  scangate scan --api-url {apiUrl} --username {username}{hostFlag} --poll-interval {Duration(poll)}",
            password is null
                ? $"  (password: QUALYS_PASSWORD set to the password of '{username}' in the scenario)"
                : $"  (password: QUALYS_PASSWORD={password})",
        };
        if (poll == minimumPollInterval && VirtualPollInterval.TotalSeconds / speed < minimumPollInterval.TotalSeconds)
        {
            lines.Add($"  ({Duration(minimumPollInterval)} is the shortest poll interval scan accepts.)");
        }

        return lines;
    }
}
