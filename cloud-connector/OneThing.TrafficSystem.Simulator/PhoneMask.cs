namespace OneThing.TrafficSystem.Simulator;

/// <summary>Phones leave the registry only masked: 13812345678 -> 138****5678.</summary>
public static class PhoneMask
{
    public static string Mask(string phone) =>
        phone.Length >= 8 ? string.Concat(phone.AsSpan(0, 3), "****", phone.AsSpan(phone.Length - 4)) : "****";
}
