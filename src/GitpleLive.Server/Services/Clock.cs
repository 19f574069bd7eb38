namespace GitpleLive.Server.Services;

/// <summary>Unix milliseconds, the wire's one time unit.</summary>
public static class Clock
{
    public static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
