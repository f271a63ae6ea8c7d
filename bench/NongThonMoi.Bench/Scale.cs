namespace NongThonMoi.Bench;

/// <summary>How big the generated country is. National: one top unit, ~700 reporting units, ~8,300 communes, 5 years weekly.</summary>
public sealed record Scale(string Name, int Districts, int Communes, int HistoryYears, int IngestRounds, int FreshnessSamples)
{
    public static readonly Scale National = new("national", 700, 8_300, 5, 6, 50);
    public static readonly Scale Province = new("province", 11, 200, 1, 30, 20);

    public static Scale Parse(string name) => name switch
    {
        "national" => National,
        "province" => Province,
        _ => throw new ArgumentException($"--scale {name}: must be national or province"),
    };

    /// <summary>Communes of district <paramref name="d"/> (0-based): the remainder spread one each over the first districts.</summary>
    public int CommunesOf(int d) => Communes / Districts + (d < Communes % Districts ? 1 : 0);
}
