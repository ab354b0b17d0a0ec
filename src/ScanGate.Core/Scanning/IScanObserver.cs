using ScanGate.Qualys;

namespace ScanGate.Scanning;

/// <summary>Receives progress of a scan run (the CLI shows it; the library has no console).</summary>
public interface IScanObserver
{
    /// <summary>A step of the lifecycle worth a line in the log.</summary>
    void Info(string message);

    /// <summary>Something the user should look at, without failing the run.</summary>
    void Warning(string message);

    /// <summary>Detail for --verbose.</summary>
    void Detail(string message);

    /// <summary>A poll answered: the scan as listed, time since launch and the timeout.</summary>
    void Status(QualysScan scan, TimeSpan sinceLaunch, TimeSpan timeout);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullScanObserver : IScanObserver
{
    public static readonly NullScanObserver Instance = new();

    public void Info(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Detail(string message)
    {
    }

    public void Status(QualysScan scan, TimeSpan sinceLaunch, TimeSpan timeout)
    {
    }
}
