namespace GitpleLive.Chat;

public sealed partial class ChatClient
{
    private OpenChannelClient? _openChannel;

    /// <summary>Open channels: public channels without members, their participants, messages and events.</summary>
    public OpenChannelClient OpenChannel =>
        LazyInitializer.EnsureInitialized(ref _openChannel, () => new OpenChannelClient(_core));
}
