namespace ScanGate.Emulator.Tests;

public sealed class AssemblyTests
{
    [Fact]
    public void EmulatorAssembly_DoesNotReferenceTheClientLibrary()
    {
        // The emulator is written from the API reference alone, so a misreading in one side is caught by the other.
        var references = typeof(ScanGate.Emulator.EmulatorMarker).Assembly.GetReferencedAssemblies().Select(a => a.Name);

        references.Contains("ScanGate.Core", StringComparer.Ordinal).ShouldBeFalse();
    }
}
