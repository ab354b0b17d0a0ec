namespace ScanGate.Core.Tests;

/// <summary>Tests that measure the whole process's memory run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(MeasuresProcessMemory), DisableParallelization = true)]
public sealed class MeasuresProcessMemory;
