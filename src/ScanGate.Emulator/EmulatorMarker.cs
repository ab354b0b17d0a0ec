namespace ScanGate.Emulator;

/// <summary>Anchor type for the emulator assembly.</summary>
public static class EmulatorMarker
{
}
